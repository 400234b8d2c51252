/**
 * `npm run bench:redact`: recall and false positives of the redactor over a corpus built from the
 * published rule sets' test strings (secretlint's and gitleaks' fixtures, bench/data/redact), the
 * issue-15 attack strings, each positive's encoded and split forms, and negatives (the fixtures'
 * own negatives, generated identifiers, LogHub 2k lines). The redactor as it was before issue 15
 * (bench/baseline/redact-v0.ts) is measured in the same run as the baseline. Speed: lines/s over
 * the LogHub lines, the median of five runs.
 *
 * A positive counts as redacted when no 8-character window of its secret is left in the output
 * (a partial token is still a leak). A negative counts as a false positive when the output differs
 * from the input.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { redact as oldRedact } from "./baseline/redact-v0.js";
import { redact, redactLines } from "../src/security/redact.js";
import { presetKinds } from "../src/security/secretlint-preset.js";

const here = dirname(fileURLToPath(import.meta.url));
type Positive = { source: string; text: string; secret: string };
type Negative = { source: string; text: string };
const fixtures = JSON.parse(readFileSync(join(here, "data/redact/fixtures.json"), "utf8")) as {
  positives: Positive[];
  negatives: Negative[];
};

const j = (...p: string[]) => p.join("");
const ISSUE_15: Positive[] = [
  { source: "issue-15", text: "CREATE ROLE app_rw LOGIN PASSWORD 'Tr0ub4dor&3x'", secret: "Tr0ub4dor&3x" },
  { source: "issue-15", text: "ALTER USER reporting IDENTIFIED BY Zq8vR2mkLp0w;", secret: "Zq8vR2mkLp0w" },
  {
    source: "issue-15",
    text: "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBF0Lc3UBCADKu1Jd8mXbQ9Z0fGx2vHk3T9aQ\n-----END PGP PRIVATE KEY BLOCK-----",
    secret: "lQOYBF0Lc3UBCADKu1Jd8mXbQ9Z0fGx2vHk3T9aQ",
  },
  {
    source: "issue-15",
    text: j("xapp-1-A0123456789-1234567890123-", "0a1b2c3d4e5f6a7b8c9d0e1f"),
    secret: "1234567890123-0a1b2c3d4e5f6a7b8c9d0e1f",
  },
  {
    source: "issue-15",
    text: j("sk-proj-", "Qm9Yk2Vt3Lp8Zr1Xn4Bs7Dh0Fj6Gk9Hw2Ec5Ua8Ti1Oy"),
    secret: "Qm9Yk2Vt3Lp8Zr1Xn4Bs7Dh0Fj6Gk9Hw2Ec5Ua8Ti1Oy",
  },
  { source: "issue-15", text: j("sk_live_", "51HqZ2eKx9Vb3Nm7Lp0Qr4St"), secret: "51HqZ2eKx9Vb3Nm7Lp0Qr4St" },
  {
    source: "issue-15",
    text: "https://acct.blob.core.windows.net/c/b.zip?sv=2022-11-02&sp=r&sig=Jq8Zy%2FkP3vN0mW5xR2tB7cD1eF4gH6iJ9kL0oQ%3D",
    secret: "Jq8Zy%2FkP3vN0mW5xR2tB7cD1eF4gH6iJ9kL0oQ",
  },
  { source: "issue-15", text: '{"msg":"{\\"password\\": \\"Pa55w0rd-Qx\\"}"}', secret: "Pa55w0rd-Qx" },
  { source: "issue-15", text: "postgres://app:Xy7/Kq9+Lm2@db:5432/orders", secret: "Xy7/Kq9+Lm2" },
  { source: "issue-15", text: "amqp://svc:p@ss@w0rd!z@rabbit:5672/", secret: "p@ss@w0rd!z" },
];

/** The forms an attacker used: the text as it is, encoded, and its secret split by a zero-width space. */
const FORMS: Record<string, (p: Positive) => string> = {
  plain: (p) => p.text,
  base64: (p) => `data: ${Buffer.from(p.text).toString("base64")}`,
  hex: (p) => `blob=${Buffer.from(p.text).toString("hex")}`,
  "url-encoded": (p) => `next=${encodeURIComponent(p.text)}`,
  "zero-width split": (p) => p.text.replace(p.secret, `${p.secret.slice(0, 6)}\u200b${p.secret.slice(6)}`),
};

/** The output read back the way the form was written, so that an encoded secret left in place counts as a leak. */
const READ_BACK: Record<string, (out: string) => string> = {
  base64: (out) => `${out}\n${Buffer.from(out.replace(/^data: /, ""), "base64").toString("utf8")}`,
  hex: (out) => `${out}\n${/^blob=[0-9a-f]+$/.test(out) ? Buffer.from(out.slice(5), "hex").toString("utf8") : ""}`,
  "url-encoded": (out) => {
    try {
      return `${out}\n${decodeURIComponent(out)}`;
    } catch {
      return out;
    }
  },
};
const readBack = (form: string, out: string) => (READ_BACK[form] ?? ((o: string) => o))(out);

function leaked(out: string, secret: string): boolean {
  const compact = out.replace(/[\u200b\s]+/g, "");
  const s = secret.replace(/\s+/g, "");
  for (let i = 0; i + 8 <= s.length; i++) if (compact.includes(s.slice(i, i + 8))) return true;
  return false;
}

function negatives(): Negative[] {
  const hash = (alg: string, i: number) => createHash(alg).update(String(i)).digest("hex");
  const out: Negative[] = fixtures.negatives.map((n) => ({ ...n }));
  for (let i = 0; i < 200; i++) {
    const h = hash("sha256", i);
    out.push({ source: "identifiers", text: `commit ${hash("sha1", i)} merged` });
    out.push({
      source: "identifiers",
      text: `request ${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)} failed`,
    });
    out.push({ source: "identifiers", text: `trace_id=${h.slice(0, 32)} span_id=${h.slice(32, 48)}` });
    out.push({ source: "identifiers", text: `image sha256:${h} resourceVersion: "${parseInt(h.slice(0, 10), 16)}"` });
  }
  out.push({
    source: "identifiers",
    text: `![diagram](data:image/png;base64,${createHash("sha512").update("png").digest("base64").repeat(40)})`,
  });
  out.push({
    source: "identifiers",
    text: "![dot](data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==)",
  });
  return out;
}

function loghub(): string[] {
  const dir = join(here, "../../../shared/data/loghub");
  const root = existsSync(dir) ? dir : "/work/shared/data/loghub";
  if (!existsSync(root)) return [];
  const systems = [
    "Android",
    "Apache",
    "BGL",
    "HDFS",
    "HPC",
    "Hadoop",
    "HealthApp",
    "Linux",
    "Mac",
    "OpenSSH",
    "OpenStack",
    "Proxifier",
    "Spark",
    "Thunderbird",
    "Windows",
    "Zookeeper",
  ];
  return systems.flatMap((s) =>
    readFileSync(join(root, s, `${s}_2k.log`), "utf8")
      .split("\n")
      .filter(Boolean),
  );
}

const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(b > 1000 ? 2 : 1)}%` : "–");
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function speed(fn: () => void, lines: number): number {
  const runs: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t = performance.now();
    fn();
    runs.push(lines / ((performance.now() - t) / 1000));
  }
  return median(runs);
}

const redactors = { old: (t: string) => oldRedact(t), new: (t: string) => redact(t) };
const positives = [...fixtures.positives, ...ISSUE_15];

console.log(
  `bench:redact — ${positives.length} positives (${fixtures.positives.length} from secretlint/gitleaks fixtures, ${ISSUE_15.length} issue-15 attacks) × ${Object.keys(FORMS).length} forms`,
);
console.log(`secretlint preset rules run: ${presetKinds().length} (${presetKinds().join(", ")})\n`);
console.log("recall (secret fully gone)            old        new");
const groups: Array<[string, (p: Positive) => boolean, string]> = [
  ...["secretlint", "gitleaks", "issue-15"].map(
    (s) => [s, (p: Positive) => p.source === s, "plain"] as [string, (p: Positive) => boolean, string],
  ),
  ...Object.keys(FORMS)
    .filter((f) => f !== "plain")
    .map((f) => [`all, ${f}`, () => true, f] as [string, (p: Positive) => boolean, string]),
];
const missed: string[] = [];
for (const [label, pick, form] of groups) {
  const set = positives.filter(pick);
  const hit = (r: (t: string) => string) => set.filter((p) => !leaked(readBack(form, r(FORMS[form]!(p))), p.secret)).length;
  const n = hit(redactors.new);
  console.log(
    `  ${label.padEnd(34)} ${pct(hit(redactors.old), set.length).padStart(7)}   ${pct(n, set.length).padStart(7)}   (n=${set.length})`,
  );
  for (const p of set) if (leaked(readBack(form, redactors.new(FORMS[form]!(p))), p.secret)) missed.push(`${form}: ${p.text.slice(0, 90)}`);
}

const negs = negatives();
const logLines = loghub();
console.log("\nfalse positives (text changed)        old        new");
for (const src of ["secretlint", "gitleaks", "identifiers"]) {
  const set = negs.filter((n) => n.source === src);
  const fp = (r: (t: string) => string) => set.filter((n) => r(n.text) !== n.text).length;
  console.log(
    `  ${`${src} negatives`.padEnd(34)} ${pct(fp(redactors.old), set.length).padStart(7)}   ${pct(fp(redactors.new), set.length).padStart(7)}   (n=${set.length})`,
  );
}
if (logLines.length) {
  const fp = (r: (t: string) => string) => logLines.filter((l) => r(l) !== l).length;
  console.log(
    `  ${"LogHub 2k lines".padEnd(34)} ${pct(fp(redactors.old), logLines.length).padStart(7)}   ${pct(fp(redactors.new), logLines.length).padStart(7)}   (n=${logLines.length}; emails and key=value pairs in the logs are redacted by design)`,
  );
  const oldRate = speed(() => logLines.forEach((l) => oldRedact(l)), logLines.length);
  const newRate = speed(() => logLines.forEach((l) => redact(l)), logLines.length);
  const batched = speed(() => {
    for (let i = 0; i < logLines.length; i += 500) redactLines(logLines.slice(i, i + 500));
  }, logLines.length);
  console.log(
    `\nspeed over ${logLines.length} LogHub lines (median of 5): old ${Math.round(oldRate).toLocaleString("en")} lines/s, new ${Math.round(newRate).toLocaleString("en")} lines/s per line, ${Math.round(batched).toLocaleString("en")} lines/s in batches of 500 (redactLines); new/old ${(newRate / oldRate).toFixed(2)}`,
  );
} else console.log("  (LogHub lines not found: ../shared/data/loghub)");
if (missed.length) console.log(`\nmissed by the new redactor (${missed.length}):\n${missed.map((m) => `  - ${m}`).join("\n")}`);
