/**
 * Code comments cite DeepVariant facts as "docs/deepvariant.md §N.M" (also "§N", ranges such
 * as "§N.M–N.K" or "§N–§K", and lists "§A, §B"). This test keeps those citations honest:
 * every section number cited anywhere in src/, webview/, test/ and scripts/ (.ts, .mjs, .py,
 * .sh) must be a heading of docs/deepvariant.md, and the page must keep the sections the
 * project needs (channels, read selection, postprocess maths, file layouts) under their fixed
 * numbers.
 *
 * Older comments cite the same numbers under the name of the notes the page was written from;
 * that prefix is built at run time (LEGACY_PREFIX) so that this file does not spell it, and
 * its citations are checked too, so renaming them to the page's path can never point at a
 * missing section.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { PROJECT_ROOT } from '../../helpers/paths';

const DOC_REL = 'docs/deepvariant.md';
const DOC_PATH = join(PROJECT_ROOT, DOC_REL);
const LEGACY_PREFIX = ['dv', 'spec'].join('-');
const SCANNED_DIRS = ['src', 'webview', 'test', 'scripts'];
const SCANNED_EXT = /\.(ts|mjs|py|sh)$/;
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'out', '.cache', 'screenshots']);

/** Every numbered section the page must have: the numbering code comments rely on. */
const REQUIRED_SECTIONS = [
  ...range('1', 7), ...range('2', 7), ...range('3', 5), ...range('4', 3), ...range('5', 3),
  ...range('6', 2), ...range('7', 4), ...range('8', 3), '9', '10', ...range('11', 10),
  ...range('12', 4), ...range('13', 4), ...range('14', 4), '15',
];

function range(major: string, last: number): string[] {
  return [major, ...Array.from({ length: last }, (_, i) => `${major}.${i + 1}`)];
}

interface Heading {
  readonly id: string;
  readonly level: 2 | 3;
  readonly title: string;
  readonly line: number;
}

/** `## 1. Title` (top level) and `### 1.1 Title` (subsection); other headings are ignored. */
function parseHeadings(md: string): { headings: Heading[]; problems: string[] } {
  const headings: Heading[] = [];
  const problems: string[] = [];
  let currentMajor: string | undefined;
  md.split('\n').forEach((text, i) => {
    const line = i + 1;
    const top = /^## (\d+)\. (\S.*)$/.exec(text);
    const sub = /^### (\d+)\.(\d+) (\S.*)$/.exec(text);
    if (top) {
      currentMajor = top[1]!;
      headings.push({ id: top[1]!, level: 2, title: top[2]!, line });
    } else if (sub) {
      const id = `${sub[1]}.${sub[2]}`;
      if (sub[1] !== currentMajor) problems.push(`line ${line}: §${id} sits under §${currentMajor ?? '(none)'}`);
      headings.push({ id, level: 3, title: sub[3]!, line });
    } else if (/^#{2,3} \d/.test(text)) {
      problems.push(`line ${line}: numbered heading not in the "## N. Title" / "### N.M Title" form: ${text}`);
    }
  });
  const seen = new Map<string, number>();
  for (const h of headings) {
    const before = seen.get(h.id);
    if (before !== undefined) problems.push(`§${h.id} is defined twice (lines ${before} and ${h.line})`);
    seen.set(h.id, h.line);
  }
  return { headings, problems };
}

interface Citation {
  readonly file: string;
  readonly line: number;
  /** Section numbers the citation needs (ranges expanded). */
  readonly sections: string[];
  readonly text: string;
}

const NUM = String.raw`\d+(?:\.\d+)?`;
const ITEM = String.raw`§\s?${NUM}(?:\s*[–-]\s*§?\s?${NUM})?`;

function citationRegex(prefixes: readonly string[]): RegExp {
  const alt = prefixes.map((p) => p.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')).join('|');
  // Between the prefix and "§" only whitespace and comment markers (a citation may wrap).
  return new RegExp(String.raw`(?:${alt})[\s*/#]*(${ITEM}(?:\s*(?:,|and|&)\s*${ITEM})*)`, 'g');
}

/** "3.2" to "3.5" → 3.2, 3.3, 3.4, 3.5; "1" to "2" → 1, 2; other ranges → their two ends. */
function expandRange(from: string, to: string): string[] {
  const [fa, fb] = from.split('.');
  const [ta, tb] = to.split('.');
  if (fb === undefined && tb === undefined) {
    const out: string[] = [];
    for (let n = Number(fa); n <= Number(ta); n++) out.push(String(n));
    return out.length > 0 ? out : [from, to];
  }
  if (fa === ta && fb !== undefined && tb !== undefined && Number(fb) <= Number(tb)) {
    const out: string[] = [];
    for (let n = Number(fb); n <= Number(tb); n++) out.push(`${fa}.${n}`);
    return out;
  }
  return [from, to];
}

function findCitations(source: string, file: string, prefixes: readonly string[]): Citation[] {
  const out: Citation[] = [];
  const re = citationRegex(prefixes);
  for (const m of source.matchAll(re)) {
    const sections: string[] = [];
    for (const item of m[1]!.matchAll(new RegExp(String.raw`(${NUM})(?:\s*[–-]\s*§?\s?(${NUM}))?`, 'g'))) {
      sections.push(...(item[2] === undefined ? [item[1]!] : expandRange(item[1]!, item[2])));
    }
    const line = source.slice(0, m.index).split('\n').length;
    out.push({ file, line, sections, text: m[0].replace(/\s+/g, ' ') });
  }
  return out;
}

function missingSections(citations: readonly Citation[], known: ReadonlySet<string>): string[] {
  return citations.flatMap((c) => c.sections.filter((s) => !known.has(s)).map((s) => `${c.file}:${c.line}: §${s} (${c.text})`));
}

function sourceFiles(dir: string): string[] {
  let names: string[];
  try { names = readdirSync(dir); } catch { return []; }
  return names.flatMap((name) => {
    if (SKIPPED_DIRS.has(name)) return [];
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return SCANNED_EXT.test(name) ? [p] : [];
  });
}

const doc = readFileSync(DOC_PATH, 'utf8');
const parsed = parseHeadings(doc);
const known = new Set(parsed.headings.map((h) => h.id));

test('docs/deepvariant.md: numbered headings are well formed, unique and nested', () => {
  assert.deepEqual(parsed.problems, []);
  assert.ok(parsed.headings.length >= REQUIRED_SECTIONS.length, `only ${parsed.headings.length} numbered headings`);
});

test('docs/deepvariant.md keeps every section number code comments rely on (§1–§15)', () => {
  assert.deepEqual(REQUIRED_SECTIONS.filter((s) => !known.has(s)), []);
});

test('docs/deepvariant.md has headings for channels, read selection, postprocess maths and file layouts', () => {
  const title = (id: string): string => parsed.headings.find((h) => h.id === id)?.title.toLowerCase() ?? '';
  assert.match(title('1'), /read selection/);
  assert.match(title('2'), /channel/);
  assert.match(title('3'), /postprocess maths/);
  assert.match(title('4'), /file layouts/);
});

test('the citation checker finds wrapped, ranged and listed citations and reports a missing section', () => {
  const fake = [
    `// see ${DOC_REL} §1.2 and ${DOC_REL} §10 item 1`,
    ` * (${DOC_REL}`,
    ` * §7.3), ${DOC_REL} §3.3–3.5, ${DOC_REL} §1–§2, ${DOC_REL} §2.3, §2.4`,
    `# ${DOC_REL} §99.9 does not exist, nor ${DOC_REL} §5.2–5.4`,
    `// ${DOC_REL} without a section is not a citation; ${LEGACY_PREFIX} §1.6. ends with a full stop`,
  ].join('\n');
  const cites = findCitations(fake, 'fake.ts', [DOC_REL, LEGACY_PREFIX]);
  assert.deepEqual(cites.map((c) => c.sections), [
    ['1.2'], ['10'], ['7.3'], ['3.3', '3.4', '3.5'], ['1', '2'], ['2.3', '2.4'], ['99.9'], ['5.2', '5.3', '5.4'], ['1.6'],
  ]);
  assert.equal(cites[2]!.line, 2);
  assert.deepEqual(missingSections(cites, known).map((m) => /: (§\S+) \(/.exec(m)?.[1]), ['§99.9', '§5.4']);
  // Only the page's own prefix is read when asked for it alone.
  assert.equal(findCitations(fake, 'fake.ts', [DOC_REL]).length, 8);
});

test('every section cited in src/, webview/, test/ and scripts/ is a heading of docs/deepvariant.md', () => {
  const files = SCANNED_DIRS.flatMap((d) => sourceFiles(join(PROJECT_ROOT, d)));
  assert.ok(files.length > 50, `only ${files.length} source files found under ${SCANNED_DIRS.join(', ')}`);
  const cites = files.flatMap((f) => findCitations(readFileSync(f, 'utf8'), relative(PROJECT_ROOT, f), [DOC_REL, LEGACY_PREFIX]));
  // Today most comments still use the legacy prefix and will be renamed to the page's path;
  // either way the code base cites sections, so an empty result means the scan is broken.
  assert.ok(cites.length > 20, `only ${cites.length} citations found`);
  assert.deepEqual(missingSections(cites, known), []);
});

test('section references inside docs/deepvariant.md itself resolve', () => {
  const refs = findCitations(doc.replace(/§/g, `${DOC_REL} §`), DOC_REL, [DOC_REL]);
  assert.ok(refs.length > 20, `only ${refs.length} internal references`);
  assert.deepEqual(missingSections(refs, known), []);
});

test('docs/deepvariant.md names DeepVariant sources, not internal notes', () => {
  for (const word of [LEGACY_PREFIX, ['STYLE', 'md'].join('.'), ['DESIGN', 'md'].join('.')]) {
    assert.ok(!doc.includes(word), `the page mentions ${word}`);
  }
  assert.doesNotMatch(doc, /\[(IL|UP15|DV19|RS|TFJS|GH@[0-9a-f]+)\]/, 'source tags instead of DeepVariant paths');
});
