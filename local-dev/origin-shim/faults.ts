// Fault injection for the origin shim, requested per call with `?fault=`
// (repeatable, or comma-separated): the ways a real trace store misbehaves
// that the gateway must survive without leaking or hanging.
//
//   reset-after:N    send the head and N body bytes, then destroy the socket
//   delay:MS         wait MS milliseconds before sending the head
//   status:CODE      answer CODE with a small JSON error instead of the body
//   slow:N[:MS]      send the body N bytes per tick (tick 10 ms, or MS)
//   gzip             gzip the body (Content-Encoding: gzip), whatever the
//                    request's Accept-Encoding says

export interface Faults {
  resetAfterBytes?: number;
  delayMs?: number;
  status?: number;
  slow?: { bytesPerTick: number; tickMs: number };
  gzip?: boolean;
}

export type FaultParseResult = { ok: true; faults: Faults } | { ok: false; reason: string };

const maxDelayMs = 10 * 60 * 1000;

export function parseFaults(specs: string[]): FaultParseResult {
  const faults: Faults = {};
  for (const spec of specs.flatMap((s) => s.split(',')).map((s) => s.trim())) {
    if (spec === '') continue;
    const [kind = '', first = '', second] = spec.split(':');
    const n = parseCount(first);
    switch (kind) {
      case 'reset-after':
        if (n === undefined) return invalid(spec, 'N must be a byte count');
        faults.resetAfterBytes = n;
        break;
      case 'delay':
        if (n === undefined || n > maxDelayMs) return invalid(spec, `MS must be 0..${maxDelayMs}`);
        faults.delayMs = n;
        break;
      case 'status':
        if (n === undefined || n < 200 || n > 599) return invalid(spec, 'CODE must be 200..599');
        faults.status = n;
        break;
      case 'slow': {
        const tickMs = second === undefined ? 10 : parseCount(second);
        if (n === undefined || n < 1) return invalid(spec, 'BYTES_PER_TICK must be at least 1');
        if (tickMs === undefined || tickMs > 60_000) return invalid(spec, 'MS must be 0..60000');
        faults.slow = { bytesPerTick: n, tickMs };
        break;
      }
      case 'gzip':
        if (first !== '') return invalid(spec, 'gzip takes no argument');
        faults.gzip = true;
        break;
      default:
        return invalid(
          spec,
          'known faults: reset-after:N, delay:MS, status:CODE, slow:N[:MS], gzip',
        );
    }
  }
  return { ok: true, faults };
}

function parseCount(text: string): number | undefined {
  if (!/^\d{1,12}$/.test(text)) return undefined;
  return Number(text);
}

function invalid(spec: string, why: string): FaultParseResult {
  return { ok: false, reason: `invalid fault "${spec}": ${why}` };
}
