// A process that uses an etcd source (look, hints, health), lets go of it, and should then exit
// by itself: run by spec/sources/etcd-source.spec.ts as `tsx etcd-source-child.ts ENDPOINT KEY`.
import { asyncScheduler, lastValueFrom } from 'rxjs';
import { etcdSource } from '../../lib/sources/etcd-source.js';

const [endpoint = '', key = ''] = process.argv.slice(2);
const source = etcdSource({ hosts: endpoint, key, resyncMs: 20 });
const health = source.health().subscribe();
const hints = source.changeHints(asyncScheduler).subscribe();
const state = await lastValueFrom(source.look());
await new Promise((resolve) => setTimeout(resolve, 300));
hints.unsubscribe();
health.unsubscribe();
console.log(state.kind, state.kind === 'snapshot' ? state.version : state.rejection.cause);
