// The R2 key layout of recordings, and ids that cannot escape their prefix.
import { describe, expect, it } from 'vitest';
import { parseSessionPrefix, recordingKeys } from './recording-keys.ts';

describe('recording keys', () => {
  const id = '0f8fad5b-d9cb-469f-a165-70867728950e';

  it('lays a session out under its UTC start date and namespace', () => {
    const keys = recordingKeys(Date.UTC(2026, 0, 2, 23, 59), 'langfuse', id);
    expect(keys).toEqual({
      prefix: `sessions/2026/01/02/langfuse/${id}/`,
      manifest: `sessions/2026/01/02/langfuse/${id}/manifest.json`,
      events: `sessions/2026/01/02/langfuse/${id}/events.ndjson`,
      body: `sessions/2026/01/02/langfuse/${id}/body`,
    });
    expect(parseSessionPrefix(keys.body)).toEqual({
      day: '2026/01/02',
      dayStart: Date.UTC(2026, 0, 2),
      namespace: 'langfuse',
      sessionId: id,
      prefix: keys.prefix,
    });
  });

  it('refuses a session id that could escape its prefix', () => {
    for (const bad of ['../x', 'a/b', '', 'x'.repeat(65)]) {
      expect(() => recordingKeys(0, 'lf', bad)).toThrow(TypeError);
    }
    expect(parseSessionPrefix('sessions/2026/01/02/lf/../body')).toBeNull();
    expect(parseSessionPrefix('other/2026/01/02/lf/abcdefgh/body')).toBeNull();
  });
});
