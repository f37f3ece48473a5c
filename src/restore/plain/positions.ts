// Where a statement of a plain SQL script sets a sequence's position, read from its tokens: setval('seq', 42,
// false) (by name, or pg_get_serial_sequence('t', 'c')), ALTER SEQUENCE / ALTER TABLE ... ALTER COLUMN ...
// RESTART [WITH n], and TRUNCATE ... RESTART IDENTITY. What cannot be read (a computed target) is "opaque": the
// hints then claim nothing. Pure.

import type { PositionSet, PositionTarget } from "./facts.ts";
import { parseRegclassText, qualified } from "./names.ts";
import { nameAt, showTokens, type Token, word } from "./tokens.ts";

/** A position set as a statement writes it (where it stands in the script is the reader's to add). */
export type PositionNote = Omit<PositionSet, "file" | "line" | "order">;

/** Split setval's argument tokens at top-level commas. */
export function splitArgs(toks: Token[]): Token[][] {
  const args: Token[][] = [[]];
  let depth = 0;
  for (const t of toks) {
    if (t.k === "p" && t.v === "(") depth++;
    if (t.k === "p" && t.v === ")") depth--;
    if (t.k === "p" && t.v === "," && depth === 0) args.push([]);
    else (args[args.length - 1] as Token[]).push(t);
  }
  return args;
}

/** An integer literal, possibly negative. */
export function literal(toks: Token[]): string | null {
  if (toks.length === 1 && toks[0]?.k === "n" && /^\d+$/.test(toks[0].v))
    return toks[0].v.replace(/^0+(?=\d)/, "");
  if (toks.length === 2 && toks[0]?.v === "-" && toks[1]?.k === "n" && /^\d+$/.test(toks[1].v)) {
    return `-${toks[1].v.replace(/^0+(?=\d)/, "")}`;
  }
  return null;
}

export function booleanOf(toks: Token[] | undefined): boolean | null {
  if (toks === undefined) return true;
  if (toks.length !== 1) return null;
  const t = toks[0] as Token;
  const v = t.k === "w" ? t.v.toLowerCase() : t.k === "s" ? t.v.trim().toLowerCase() : "";
  if (["true", "t", "yes", "y", "on", "1"].includes(v)) return true;
  if (["false", "f", "no", "n", "off", "0"].includes(v)) return false;
  return null;
}

/** The target of setval's first argument: 'name', 'name'::regclass, pg_get_serial_sequence('t', 'c'). */
export function setvalTarget(arg: Token[]): PositionTarget | null {
  const first = arg[0];
  if (first?.k === "s") {
    const rest = arg.slice(1);
    const castOnly =
      rest.length === 0 ||
      (rest.length === 3 && rest[0]?.v === ":" && rest[1]?.v === ":" && rest[2]?.v === "REGCLASS");
    if (!castOnly) return null;
    const n = parseRegclassText(first.v);
    return n ? { kind: "sequence", ...n } : null;
  }
  if (first?.k === "w" && (first.v === "PG_GET_SERIAL_SEQUENCE" || first.v === "PG_CATALOG")) {
    const at = first.v === "PG_CATALOG" ? 2 : 0;
    if (arg[at]?.v !== "PG_GET_SERIAL_SEQUENCE" || arg[at + 1]?.v !== "(") return null;
    const t = arg[at + 2];
    const c = arg[at + 4];
    if (t?.k !== "s" || arg[at + 3]?.v !== "," || c?.k !== "s" || arg[at + 5]?.v !== ")") return null;
    const table = parseRegclassText(t.v);
    // The column is taken as written (no case folding), as pg_get_serial_sequence does.
    return table ? { kind: "column", table, column: c.v } : null;
  }
  return null;
}

/** A setval call, from the tokens between its parentheses. */
export function setvalPosition(toks: Token[]): PositionNote | "opaque" {
  const args = splitArgs(toks);
  const target = args.length >= 2 && args.length <= 3 ? setvalTarget(args[0] as Token[]) : null;
  if (!target) return "opaque";
  const value = literal(args[1] as Token[]);
  return {
    target,
    value,
    isCalled: value === null ? null : booleanOf(args[2]),
    reset: false,
    text: `setval(${args.map(showTokens).join(", ")})`,
  };
}

/** ALTER SEQUENCE s RESTART [WITH n], ALTER TABLE t ALTER [COLUMN] c RESTART ...; null for an ALTER without RESTART. */
export function restartPosition(h: Token[]): PositionNote | "opaque" | null {
  const restart = h.findIndex((t) => t.k === "w" && t.v === "RESTART");
  if (restart < 0) return null;
  let i = 2;
  const kind = word(h, 1);
  if (kind === "TABLE" && word(h, i) === "ONLY") i++;
  if (word(h, i) === "IF" && word(h, i + 1) === "EXISTS") i += 2;
  const name = nameAt(h, i);
  let target: PositionTarget | null = null;
  if (name && kind === "SEQUENCE") target = { kind: "sequence", ...qualified(name.parts) };
  else if (name && kind === "TABLE" && word(h, name.next) === "ALTER") {
    const c = nameAt(h, word(h, name.next + 1) === "COLUMN" ? name.next + 2 : name.next + 1);
    if (c && c.parts.length === 1) {
      target = { kind: "column", table: qualified(name.parts), column: c.parts[0] as string };
    }
  }
  if (!target) return "opaque";
  const after = h.slice(restart + 1 + (word(h, restart + 1) === "WITH" ? 1 : 0));
  const end = after.findIndex((t) => !(t.k === "n" || (t.k === "p" && t.v === "-")));
  const value = literal(end < 0 ? after : after.slice(0, end));
  return {
    target,
    value,
    isCalled: false,
    reset: value === null,
    text: `${showTokens(h.slice(0, restart + 1))}${value !== null ? ` WITH ${value}` : ""}`,
  };
}

/** TRUNCATE [TABLE] [ONLY] t [, ...] RESTART IDENTITY: every identity and owned sequence of the tables. */
export function truncatePositions(h: Token[]): PositionNote[] {
  const out: PositionNote[] = [];
  let i = 1;
  if (word(h, i) === "TABLE") i++;
  for (;;) {
    if (word(h, i) === "ONLY") i++;
    const name = nameAt(h, i);
    if (!name) break;
    out.push({
      target: { kind: "table", table: qualified(name.parts) },
      value: null,
      isCalled: false,
      reset: true,
      text: `TRUNCATE ${showTokens(h.slice(i, name.next))} ... RESTART IDENTITY`,
    });
    i = name.next;
    if (h[i]?.v === "*") i++;
    if (h[i]?.v !== ",") break;
    i++;
  }
  return out;
}
