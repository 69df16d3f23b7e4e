/**
 * Where the verdicts of a workspace live: ONE review file for every view (docs/decisions/
 * 0012-one-review-file.md). A VCF table, a diff of two VCFs, the inspector and the plain-text
 * VCF editor all read and write the same file, so a site has one verdict whichever view set
 * it. The file is the `variantLens.review.file` setting when given (relative to the workspace
 * folder), else `variant-lens.review.tsv` in the workspace folder holding the data, else
 * in the first workspace folder, else in the data file's own folder (no folder open).
 */
import * as path from 'node:path';

/** File name of the workspace review file. */
export const WORKSPACE_REVIEW_FILE = 'variant-lens.review.tsv';

export interface ReviewLocationInput {
  /** The VCF shown (a diff: its A file). */
  readonly dataFile: string;
  /** `variantLens.review.file` as written ('' or undefined = not set). */
  readonly setting?: string;
  /** The workspace folders (absolute paths), if any. */
  readonly workspaceFolders?: readonly string[];
}

/** The review file every view of `dataFile` uses. */
export function workspaceReviewPath(input: ReviewLocationInput): string {
  const folders = input.workspaceFolders ?? [];
  const holding = folders.find((f) => {
    const rel = path.relative(f, input.dataFile);
    return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
  });
  const base = holding ?? folders[0] ?? path.dirname(input.dataFile);
  const s = input.setting?.trim();
  if (s) return path.resolve(base, s);
  return path.join(base, WORKSPACE_REVIEW_FILE);
}
