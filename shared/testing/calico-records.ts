// Calico flow-log records built for tests. Tests only.

/**
 * A Calico Enterprise flow-log record at the highest aggregation level, as the data types describe
 * it: pods of web in shop to pods of api on TCP 8080, allowed, reported by the source, with neither
 * addresses nor a client port. Each case overrides the fields it is about.
 */
export function aggregatedCalicoRecord(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    start_time: 1736500000,
    end_time: 1736500300,
    proto: 'tcp',
    action: 'allow',
    reporter: 'src',
    num_flows_started: 2,
    source_ip: null,
    source_name: '-',
    source_name_aggr: 'web-59bbf86d94-*',
    source_namespace: 'shop',
    source_port: null,
    source_type: 'wep',
    source_labels: { labels: ['app=web'] },
    dest_ip: null,
    dest_name: '-',
    dest_name_aggr: 'api-6c8d9f7b5-*',
    dest_namespace: 'shop',
    dest_port: 8080,
    dest_type: 'wep',
    dest_labels: { labels: ['app=api'] },
    ...fields,
  };
}
