/**
 * Where the inspector's pileup tensors come from. Decides between the configured sources and
 * says plainly why there is no tensor when there is none. The reads → tensor encoder and the
 * examples reader plug in here.
 */
import * as settings from './settings';
import type { TensorProvider } from './inspectorPanel';

export const siteTensors: TensorProvider = async (site) => {
  const trust = settings.trustInfo();
  if (!trust.trusted) {
    return { tensors: [], note: 'Reads, reference and models are not loaded in an untrusted workspace (Restricted Mode). Trust the workspace to see the pileup.' };
  }
  const reads = settings.reads();
  const reference = settings.reference();
  const examples = settings.examples();
  if (reads.bySample.size === 0 && reads.unnamed.length === 0 && examples.length === 0) {
    return { tensors: [], note: 'No reads configured: set variantLens.reads (BAM/CRAM per sample) and variantLens.reference, or variantLens.examples, with "Variant Lens: Configure Reads, Reference and Models…".' };
  }
  if (!reference && examples.length === 0) {
    return { tensors: [], note: 'No reference configured: set variantLens.reference (FASTA with .fai) to build the pileup from the reads.' };
  }
  return { tensors: [], note: `The pileup encoder is not part of this build yet, so no tensor is drawn for ${site.chrom}:${site.pos}.` };
};
