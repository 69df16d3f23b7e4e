/**
 * DeepVariant channel ids (DeepVariantChannelEnum, docs/deepvariant.md §2.1) and their names: the
 * enum names used by 1.5's example_info.json / show_examples, and the lower-case strings of
 * 1.6+ `--channel_list`.
 */
export const CHANNEL_NAMES: Readonly<Record<number, { readonly enumName: string; readonly name: string; readonly label: string }>> = {
  1: { enumName: 'CH_READ_BASE', name: 'read_base', label: 'read base' },
  2: { enumName: 'CH_BASE_QUALITY', name: 'base_quality', label: 'base quality' },
  3: { enumName: 'CH_MAPPING_QUALITY', name: 'mapping_quality', label: 'mapping quality' },
  4: { enumName: 'CH_STRAND', name: 'strand', label: 'strand' },
  5: { enumName: 'CH_READ_SUPPORTS_VARIANT', name: 'read_supports_variant', label: 'read supports variant' },
  6: { enumName: 'CH_BASE_DIFFERS_FROM_REF', name: 'base_differs_from_ref', label: 'base differs from ref' },
  7: { enumName: 'CH_HAPLOTYPE_TAG', name: 'haplotype', label: 'haplotype tag' },
  8: { enumName: 'CH_ALLELE_FREQUENCY', name: 'allele_frequency', label: 'allele frequency' },
  9: { enumName: 'CH_DIFF_CHANNELS_ALTERNATE_ALLELE_1', name: 'diff_channels_alternate_allele_1', label: 'alternate allele 1' },
  10: { enumName: 'CH_DIFF_CHANNELS_ALTERNATE_ALLELE_2', name: 'diff_channels_alternate_allele_2', label: 'alternate allele 2' },
  11: { enumName: 'CH_READ_MAPPING_PERCENT', name: 'read_mapping_percent', label: 'read mapping percent' },
  12: { enumName: 'CH_AVG_BASE_QUALITY', name: 'avg_base_quality', label: 'avg base quality' },
  13: { enumName: 'CH_IDENTITY', name: 'identity', label: 'identity' },
  14: { enumName: 'CH_GAP_COMPRESSED_IDENTITY', name: 'gap_compressed_identity', label: 'gap compressed identity' },
  15: { enumName: 'CH_GC_CONTENT', name: 'gc_content', label: 'gc content' },
  16: { enumName: 'CH_IS_HOMOPOLYMER', name: 'is_homopolymer', label: 'is homopolymer' },
  17: { enumName: 'CH_HOMOPOLYMER_WEIGHTED', name: 'homopolymer_weighted', label: 'homopolymer weighted' },
  18: { enumName: 'CH_BLANK', name: 'blank', label: 'blank' },
  19: { enumName: 'CH_INSERT_SIZE', name: 'insert_size', label: 'insert size' },
  20: { enumName: 'CH_BASE_CHANNELS_ALTERNATE_ALLELE_1', name: 'base_channels_alternate_allele_1', label: 'base channels alt 1' },
  21: { enumName: 'CH_BASE_CHANNELS_ALTERNATE_ALLELE_2', name: 'base_channels_alternate_allele_2', label: 'base channels alt 2' },
  22: { enumName: 'CH_MEAN_COVERAGE', name: 'mean_coverage', label: 'mean coverage' },
  23: { enumName: 'CH_BASE_METHYLATION', name: 'base_methylation', label: 'base methylation' },
  24: { enumName: 'CH_BASE_6MA', name: 'base_6ma', label: 'base 6ma' },
};

/** DV 1.5 plain make_examples (and the golden files): [1..6]. */
export const CHANNELS_DV15 = [1, 2, 3, 4, 5, 6] as const;
/** DV 1.4+ Illumina WGS/WES models: the 6 base channels plus insert size (docs/deepvariant.md §2.2). */
export const CHANNELS_WGS = [1, 2, 3, 4, 5, 6, 19] as const;
