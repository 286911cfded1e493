// The program's events and errors as a client reads them: events from a transaction's log lines
// (`Program data: <base64>` — Anchor's emit!), errors by their custom code. The tables come from the
// IDL (idl-tables.generated.ts); this file only matches and decodes.
import { getBase64Encoder, type ReadonlyUint8Array } from '@solana/kit';
import {
  TRIBUTARY_ERRORS,
  TRIBUTARY_EVENT_DISCRIMINATORS,
  tributaryEventDecoders,
  type TributaryEventMap,
} from './idl-tables.generated';
import { TRIBUTARY_PROGRAM_ADDRESS } from './generated';

export { TRIBUTARY_ERRORS, TRIBUTARY_EVENT_DISCRIMINATORS, tributaryEventDecoders, type TributaryEventMap };

/** One decoded event: its name and fields (`name` narrows `data`). */
export type TributaryEvent = { [K in keyof TributaryEventMap]: { name: K; data: TributaryEventMap[K] } }[keyof TributaryEventMap];

const names = Object.keys(TRIBUTARY_EVENT_DISCRIMINATORS) as (keyof TributaryEventMap)[];

/** The event `bytes` hold (discriminator then fields), or undefined if they are no Tributary event. */
export function decodeTributaryEvent(bytes: ReadonlyUint8Array): TributaryEvent | undefined {
  const name = names.find((n) => TRIBUTARY_EVENT_DISCRIMINATORS[n].every((b, i) => bytes[i] === b));
  if (!name) return undefined;
  try {
    return { name, data: tributaryEventDecoders[name].decode(bytes.slice(8)) } as TributaryEvent;
  } catch {
    return undefined; // a matching prefix on bytes that are not this event
  }
}

const INVOKE = /^Program (\S+) invoke \[\d+\]$/;
const EXIT = /^Program (\S+) (success|failed)/;

/**
 * Every Tributary event in a transaction's log messages, in order: only the `Program data:` lines
 * written while `programId` itself is executing (called at the top level or by CPI). Any other
 * program in the same transaction can log the very same bytes, so a line is attributed by the
 * runtime's `invoke` / `success` / `failed` lines around it, never by its contents. After the
 * runtime's `Log truncated` nothing can be attributed, and nothing more is read.
 */
export function decodeTributaryEventsFromLogs(logs: readonly string[], programId: string = TRIBUTARY_PROGRAM_ADDRESS): TributaryEvent[] {
  const base64 = getBase64Encoder();
  const out: TributaryEvent[] = [];
  const running: string[] = [];
  for (const line of logs) {
    const invoked = INVOKE.exec(line);
    if (invoked) {
      running.push(invoked[1]);
      continue;
    }
    const exited = EXIT.exec(line);
    if (exited) {
      if (running[running.length - 1] === exited[1]) running.pop();
      continue;
    }
    if (line === 'Log truncated') break;
    if (!line.startsWith('Program data: ') || running[running.length - 1] !== programId) continue;
    const event = decodeTributaryEvent(base64.encode(line.slice('Program data: '.length)));
    if (event) out.push(event);
  }
  return out;
}

/** The program's error for a custom error code (`custom program error: 0x…`), if it is one of its own. */
export function tributaryErrorOf(code: number): { code: number; name: string; message: string } | undefined {
  return TRIBUTARY_ERRORS.find((e) => e.code === code);
}
