/**
 * `variant-lens postprocess`: DeepVariant's postprocess_variants (1.5 rules, docs/deepvariant.md §3) on a
 * call_variants output file, writing a VCF.
 */
import { postprocessCvoFile } from '../../core/model/postprocessVariants';
import { parseArgs } from '../framework/args';
import { registerCommand } from '../framework/registry';

const usage = `usage: variant-lens postprocess --cvo CALL_VARIANTS_OUTPUT.tfrecord[.gz] --ref FASTA --out calls.vcf [--sample NAME]
                                [--qual-filter 1.0] [--multi-allelic-qual-filter 1.0] [--cnn-homref-call-min-gq 20]
                                [--no-haplotype-resolution] [--no-group-variants]

Turns call_variants output (CallVariantsOutput protos in a TFRecord, gzip when named .gz)
into a VCF exactly as DeepVariant 1.5's postprocess_variants does: multi-allelic merging,
GT/GQ/QUAL/PL, FILTER (PASS/RefCall/LowQual/NoCall), haplotype conflict resolution.
Contig order and ##contig lines come from the reference's .fai (FASTA.fai).
--sample is used only when the call_variants output carries no sample name (as DeepVariant's
--sample_name).
--no-group-variants is DeepVariant's --group_variants=false (candidate import with multi-allelic
sites split across VCF lines): each call_variants output becomes its own record instead of the
outputs of one (contig, start, end) being merged.`;

registerCommand({
  name: 'postprocess',
  summary: 'call_variants output (TFRecord) → VCF, as DeepVariant 1.5 postprocess_variants',
  usage,
  async run(argv, ctx) {
    const a = parseArgs(argv, {
      cvo: { type: 'string' },
      ref: { type: 'string' },
      out: { type: 'string' },
      sample: { type: 'string' },
      'qual-filter': { type: 'string' },
      'multi-allelic-qual-filter': { type: 'string' },
      'cnn-homref-call-min-gq': { type: 'string' },
      'no-haplotype-resolution': { type: 'boolean' },
      'no-group-variants': { type: 'boolean' },
    }, usage);
    const out = a.required('out');
    const sample = a.string('sample');
    const t0 = Date.now();
    const r = await postprocessCvoFile(a.required('cvo'), a.required('ref'), out, {
      qualFilter: a.number('qual-filter', 1.0),
      multiAllelicQualFilter: a.number('multi-allelic-qual-filter', 1.0),
      cnnHomrefCallMinGq: a.number('cnn-homref-call-min-gq', 20.0),
      disableHaplotypeResolution: a.flag('no-haplotype-resolution'),
      ...(a.flag('no-group-variants') ? { groupVariants: false } : {}),
      ...(sample !== undefined ? { sampleName: sample } : {}),
    }, ctx.signal);
    const resolved = r.calls.filter((c) => c.haplotypeResolved).length;
    ctx.progress(`postprocess: ${r.records} records for sample ${r.sampleName} → ${out} (${resolved} re-genotyped by haplotype resolution) in ${Date.now() - t0} ms`);
    return 0;
  },
});
