/**
 * `variant-lens info FILE` — a JSON summary of a VCF, BAM/CRAM or FASTA, for scripts and
 * for checking that a file opens before pointing the extension at it.
 *   VCF:       samples, contigs (from the header), record count, records per contig
 *   BAM/CRAM:  records per contig (mapped/unmapped, as samtools idxstats)
 *   FASTA:     contigs and lengths
 */
import { VariantLensError } from '../../core/errors';
import { openAlignments } from '../../core/io/sam/alignmentReader';
import { openReference } from '../../core/io/fasta/fastaReader';
import { openVcf } from '../../core/io/vcf/vcfReader';
import { parseArgs } from '../framework/args';
import type { CliContext } from '../framework/command';
import { registerCommand } from '../framework/registry';

const usage = `usage: variant-lens info FILE [--ref REFERENCE.fa[.gz]]

Prints a JSON summary of FILE:
  .vcf / .vcf.gz                 samples, contigs, record count and records per contig
  .bam (+ .bai/.csi)              records per contig (mapped, unmapped), like samtools idxstats
  .cram (+ .crai)                 the same; needs --ref, the FASTA the CRAM was made against
  .fa / .fasta (+ .fai, .gzi)     contigs and their lengths`;

type Kind = 'vcf' | 'alignments' | 'fasta';

function kindOf(file: string): Kind {
  const f = file.toLowerCase().replace(/\.(gz|bgz|bgzf)$/, '');
  if (f.endsWith('.vcf')) return 'vcf';
  if (f.endsWith('.bam') || f.endsWith('.cram')) return 'alignments';
  if (/\.(fa|fasta|fna|fas)$/.test(f)) return 'fasta';
  throw new VariantLensError('unsupported', 'has an extension info does not know (expected .vcf[.gz], .bam, .cram, .fa/.fasta[.gz])', file);
}

export async function runInfo(argv: string[], ctx: CliContext): Promise<number> {
  const args = parseArgs(argv, { ref: { type: 'string' } }, usage);
  const [file, extra] = args.positionals;
  if (!file || extra !== undefined) throw new VariantLensError('invalid-argument', `give exactly one FILE\n${usage}`);
  const summary = await summarize(file, args.string('ref'), ctx.signal);
  ctx.out(JSON.stringify(summary, null, 2) + '\n');
  return 0;
}

export async function summarize(file: string, ref: string | undefined, signal: AbortSignal): Promise<Record<string, unknown>> {
  const kind = kindOf(file);
  if (kind === 'vcf') {
    const vcf = await openVcf(file, signal);
    try {
      const h = vcf.vcfHeader;
      const counts = await vcf.countPerContig(signal);
      return {
        file,
        format: 'vcf',
        compression: vcf.kind === 'vcf' ? 'none' : vcf.kind,
        index: vcf.indexPath ?? null,
        fileformat: h.fileformat,
        samples: h.samples,
        contigs: h.contigs.map((c) => (c.length === undefined ? { name: c.name } : { name: c.name, length: c.length })),
        records: counts.total,
        recordsPerContig: Object.fromEntries(counts.perContig),
      };
    } finally {
      await vcf.close();
    }
  }
  if (kind === 'alignments') {
    // A CRAM without --ref: slices with an embedded reference decode; others say they need it.
    const aln = await openAlignments(file, ref ? { referencePath: ref } : {}, signal);
    try {
      const counts = await aln.countPerContig(signal);
      const nonEmpty = counts.filter((c) => c.mapped + c.unmapped > 0);
      return {
        file,
        format: aln.format,
        index: aln.indexPath,
        sample: (await aln.sampleName(signal)) ?? null,
        contigs: counts.filter((c) => c.contig !== '*').length,
        records: counts.reduce((s, c) => s + c.mapped + c.unmapped, 0),
        recordsPerContig: Object.fromEntries(nonEmpty.map((c) => [c.contig, { records: c.mapped + c.unmapped, mapped: c.mapped, unmapped: c.unmapped }])),
      };
    } finally {
      await aln.close();
    }
  }
  const fa = await openReference(file, signal);
  try {
    const contigs = await fa.contigs(signal);
    return { file, format: 'fasta', bgzipped: fa.bgzipped, contigs: contigs.map((c) => ({ name: c.name, length: c.length })) };
  } finally {
    await fa.close();
  }
}

registerCommand({ name: 'info', summary: 'print a JSON summary of a VCF, BAM/CRAM or FASTA file', usage, run: runInfo });
