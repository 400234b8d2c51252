/**
 * crystaldba `postgres-mcp` answers with Python's repr of a list of dicts:
 * `[{'pid': 12, 'state': 'active', 'at': datetime.datetime(2026, 11, 23, 2, 10, tzinfo=…), 'n': Decimal('1.5'), 'x': None}]`.
 * This reads that literal into JSON values: datetimes become ISO strings, Decimal and timedelta
 * numbers (timedelta in seconds), None/True/False null and booleans. Nothing is evaluated.
 */
export function parsePythonLiteral(text: string): unknown {
  const p = new Parser(text);
  const value = p.value();
  p.space();
  if (!p.done()) p.fail("unexpected text after the value");
  return value;
}

class Parser {
  i = 0;
  constructor(readonly s: string) {}

  done = () => this.i >= this.s.length;
  fail(why: string): never {
    throw new Error(`cannot read the Python answer at ${this.i}: ${why}`);
  }
  space() {
    while (/\s/.test(this.s[this.i] ?? "")) this.i++;
  }
  eat(ch: string): boolean {
    this.space();
    if (this.s[this.i] === ch) {
      this.i++;
      return true;
    }
    return false;
  }

  value(): unknown {
    this.space();
    const ch = this.s[this.i];
    if (ch === "[" || ch === "(") return this.seq(ch === "[" ? "]" : ")");
    if (ch === "{") return this.dict();
    if (ch === "'" || ch === '"') return this.str();
    if (ch === "-" || /\d/.test(ch ?? "")) return this.number();
    if (/[A-Za-z_]/.test(ch ?? "")) return this.word();
    this.fail(`unexpected ${JSON.stringify(ch ?? "end")}`);
  }

  seq(close: string): unknown[] {
    this.i++;
    const out: unknown[] = [];
    while (!this.eat(close)) {
      out.push(this.value());
      if (!this.eat(",") && this.s[this.i] !== close) this.space();
    }
    return out;
  }

  dict(): Record<string, unknown> {
    this.i++;
    const out: Record<string, unknown> = {};
    while (!this.eat("}")) {
      const key = String(this.value());
      if (!this.eat(":")) this.fail("expected ':'");
      out[key] = this.value();
      this.eat(",");
    }
    return out;
  }

  str(): string {
    const quote = this.s[this.i++]!;
    let out = "";
    for (;;) {
      const ch = this.s[this.i++];
      if (ch === undefined) this.fail("unterminated string");
      if (ch === quote) return out;
      if (ch === "\\") {
        const next = this.s[this.i++]!;
        const map: Record<string, string> = { n: "\n", t: "\t", r: "\r", "\\": "\\", "'": "'", '"': '"' };
        if (next === "x" || next === "u") {
          const len = next === "x" ? 2 : 4;
          out += String.fromCharCode(parseInt(this.s.slice(this.i, this.i + len), 16));
          this.i += len;
        } else out += map[next] ?? next;
      } else out += ch;
    }
  }

  number(): number {
    const m = /^-?\d+(\.\d+)?([eE][-+]?\d+)?/.exec(this.s.slice(this.i));
    if (!m) this.fail("bad number");
    this.i += m[0].length;
    return Number(m[0]);
  }

  word(): unknown {
    const m = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(this.s.slice(this.i))!;
    this.i += m[0].length;
    const name = m[0];
    if (name === "None") return null;
    if (name === "True") return true;
    if (name === "False") return false;
    if (!this.eat("(")) return name;
    const args: unknown[] = [];
    const kwargs: Record<string, unknown> = {};
    while (!this.eat(")")) {
      this.space();
      const kw = /^([A-Za-z_]\w*)\s*=(?!=)/.exec(this.s.slice(this.i));
      if (kw) {
        this.i += kw[0].length;
        kwargs[kw[1]!] = this.value();
      } else args.push(this.value());
      this.eat(",");
    }
    return call(name, args, kwargs);
  }
}

function call(name: string, args: unknown[], kwargs: Record<string, unknown>): unknown {
  const short = name.split(".").pop();
  if (short === "Decimal") return Number(args[0]);
  if (short === "datetime") {
    const [y, mo, d, h = 0, mi = 0, s = 0, us = 0] = args as number[];
    return new Date(Date.UTC(y!, mo! - 1, d!, h, mi, s, Math.floor(us / 1000))).toISOString();
  }
  if (short === "date") {
    const [y, mo, d] = args as number[];
    return new Date(Date.UTC(y!, mo! - 1, d!)).toISOString().slice(0, 10);
  }
  if (short === "timedelta") {
    const days = Number(kwargs.days ?? args[0] ?? 0);
    const seconds = Number(kwargs.seconds ?? args[1] ?? 0);
    const micro = Number(kwargs.microseconds ?? args[2] ?? 0);
    return days * 86_400 + seconds + micro / 1e6;
  }
  if (short === "timezone" || short === "utc") return "UTC";
  return args.length ? args[0] : name;
}
