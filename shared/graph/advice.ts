// What to do about input that lacks something, in the words of the tool that wrote the capture: a
// Hubble user has no Calico aggregation setting to lower, a Calico user no field mask to change.
// One definition, used by the graph's warnings, generate (both flavors) and verify.
import type { CaptureFormat } from '../flows/types';

/** Which tool wrote a capture: Hubble, Calico, or not known (a graph built without a format). */
export type CaptureSource = 'hubble' | 'calico' | 'unknown';

/** The tool behind a capture format (`hubble-*` → Hubble, `calico-*` → Calico). */
export function sourceOf(format: CaptureFormat | undefined): CaptureSource {
  if (format?.startsWith('hubble')) return 'hubble';
  if (format?.startsWith('calico')) return 'calico';
  return 'unknown';
}

const HUBBLE_PORTS = 'capture again with a field mask (or exporter) that keeps `l4` and its ports';
const CALICO_PORTS = "lower Calico's flow-log aggregation (flowLogsFileAggregationKindForAllowed, …ForDenied) so that ports are kept";

/**
 * Why an edge has no port and how to capture one, for the tool that wrote `format` (both tools'
 * ways when the format is not known). A clause that completes "no port-restricted rule can be
 * written for them: …".
 */
export function unknownPortAdvice(format: CaptureFormat | undefined): { readonly cause: string; readonly fix: string } {
  switch (sourceOf(format)) {
    case 'hubble':
      return { cause: 'the Hubble records carried no ports (a field mask, or an exporter that left `l4` ports out)', fix: HUBBLE_PORTS };
    case 'calico':
      return { cause: "Calico's flow-log aggregation left the port out", fix: CALICO_PORTS };
    case 'unknown':
      return {
        cause: 'the capture left it out (a Hubble field mask, Calico flow-log aggregation)',
        fix: `Hubble: ${HUBBLE_PORTS}; Calico: ${CALICO_PORTS}`,
      };
  }
}

/** Why records were left out for having no L4 protocol the tool reads, and whether capturing again helps, by source. */
export function skippedRecordsAdvice(format: CaptureFormat | undefined): string {
  switch (sourceOf(format)) {
    case 'hubble':
      return 'If they should count, capture without a field mask that drops `l4`.';
    case 'calico':
      return 'Calico logged them with another protocol (GRE, IPIP, ESP, …) or none: a NetworkPolicy cannot allow such traffic by port, so nothing is lost for the policies.';
    case 'unknown':
      return 'Hubble: capture without a field mask that drops `l4`; Calico logged them with another protocol (GRE, IPIP, …) or none.';
  }
}
