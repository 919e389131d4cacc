import assert from 'node:assert/strict';
import { textDocument, textLocator } from '../../lib/formats/text-document.js';

describe('textLocator', () => {
  it('turns offsets into positions and located problems', () => {
    const at = textLocator('a: 1\nb: x\n', 'app.yaml');
    assert.deepEqual(at.position(8), { file: 'app.yaml', line: 2, column: 4 });
    assert.deepEqual(at.problem(8, 'bad'), {
      severity: 'error',
      message: 'bad',
      file: 'app.yaml',
      line: 2,
      column: 4,
    });
    assert.equal(at.problem(0, 'hm', 'warning').severity, 'warning');
  });
});

describe('textDocument', () => {
  const text = '{"a": {"b": [10, 20]}}';
  const locator = textLocator(text, 'app.json');
  const root = {
    offset: 0,
    children: new Map([
      [
        'a',
        {
          offset: 6,
          children: new Map([
            [
              'b',
              {
                offset: 12,
                children: new Map([
                  ['0', { offset: 13 }],
                  ['1', { offset: 17 }],
                ]),
              },
            ],
          ]),
        },
      ],
    ]),
  };

  it('locates a path, numbers and strings alike, and an absent one at its nearest parent', () => {
    const doc = textDocument({
      value: JSON.parse(text),
      root,
      locator,
      file: 'app.json',
      warnings: [],
    });
    assert.deepEqual(doc.locate(['a', 'b', 1]), { file: 'app.json', line: 1, column: 18 });
    assert.deepEqual(doc.locate(['a', 'b', '1']), { file: 'app.json', line: 1, column: 18 });
    assert.deepEqual(doc.locate(['a', 'zz', 'y']), { file: 'app.json', line: 1, column: 7 });
    assert.deepEqual(doc.locate([]), { file: 'app.json', line: 1, column: 1 });
    assert.deepEqual([doc.files, doc.watched], [['app.json'], ['app.json']]);
  });

  it('locates nothing in a document that holds no value', () => {
    const doc = textDocument({
      value: undefined,
      root: undefined,
      locator,
      file: 'app.json',
      warnings: [],
    });
    assert.equal(doc.locate(['a']), undefined);
  });
});
