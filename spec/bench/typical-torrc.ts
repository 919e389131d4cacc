/**
 * A typical 40-line client torrc: comments, most of hotrc's fields (reloadable and not), a
 * quoted value, a continuation, bridges, an onion service and one Tor option hotrc ignores.
 * `poolMax` sets CircuitPoolMaxSize (reloadable), so two values give two configs that differ
 * by one live-applied field, as an operator's edit does.
 * @example typicalTorrc(32).split('\n').length - 1 // 40
 */
export function typicalTorrc(poolMax = 32): string {
  return `## Tor client for the fetcher service, hot-reloaded by hotrc.
## Keys and syntax are Tor's.

SocksPort 9050
ControlPort 9051
MetricsPort 9035
EnableMetrics 1
DataDirectory /var/lib/tor-fetcher
ClientOnly 1

## Reloadable: these apply live.
LogLevel info
CircuitBuildTimeout 60 seconds
MaxCircuitDirtiness 10 minutes
NewCircuitPeriod 30 seconds
EnableConnectionPooling 1
ConnectionPoolMaxIdle 8
ConnectionPoolMaxLife "15 minutes"   # quoted values work for every option
EnableCircuitPrebuilding 1
CircuitPoolMinSize 4
CircuitPoolMaxSize ${poolMax}
EnableBufferPooling 1
IsolateDestinations 1
IsolateSOCKSAuth 1

## Not reloadable: a change is kept back until restart.
NumEntryGuards 3
UseEntryGuards 1
ConnLimit 1000
DormantClientTimeout 24 hours
IsolationLevel destination
UseBridges 1
Bridge obfs4 192.0.2.10:443 0123456789ABCDEF0123456789ABCDEF01234567 cert=abcdefghijklmnop iat-mode=0
Bridge 198.51.100.7:9001 89ABCDEF0123456789ABCDEF0123456789ABCDEF
ExcludeNodes {cn},{ir}, \\
  {kp}
ExcludeExitNodes {ru}
HiddenServiceDir /var/lib/tor-fetcher/hs
HiddenServicePort 80 127.0.0.1:8080
HiddenServiceMaxStreams 16
`;
}
