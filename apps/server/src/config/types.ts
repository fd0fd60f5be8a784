/** The sink names the config may use in `records` and `reliable_ack_sources`. */
export const SINK_NAMES = ['logger', 'kafka', 'kinesis', 'pubsub', 'zmq', 'mqtt', 'redis', 'nats'] as const;
export type SinkName = (typeof SINK_NAMES)[number];

export type LogLevelName = 'trace' | 'debug' | 'info' | 'warn' | 'warning' | 'error' | 'fatal' | 'panic';

export type AckPolicy = 'source' | 'all-durable';

/** A sink's config section: its keys belong to the sink and are passed through untouched. */
export type SinkSection = Readonly<Record<string, unknown>>;

/** The config file as written, after it passed the JSON Schema (see config.schema.json). */
export interface ServerConfig {
  readonly host?: string;
  readonly port?: number;
  readonly status_port?: number;
  /** Server processes sharing the listener (node:cluster); 0: one per CPU. Default 1. */
  readonly workers?: number;
  readonly log_level?: LogLevelName;
  readonly json_log_enable?: boolean;
  readonly namespace?: string;
  readonly reliable_ack?: boolean;
  readonly reliable_ack_workers?: number;
  readonly reliable_ack_sources?: Readonly<Record<string, SinkName>>;
  readonly ack_policy?: AckPolicy;
  readonly transmit_decoded_records?: boolean;
  readonly vins_signal_tracking_enabled?: readonly string[];
  readonly monitoring?: {
    readonly prometheus_metrics_port?: number;
    readonly prometheus_metrics_host?: string;
    readonly profiler_port?: number;
    readonly profiler_host?: string;
    readonly profiling_path?: string;
    readonly statsd?: {
      readonly host?: string;
      readonly prefix?: string;
      readonly sample_rate?: number;
      readonly flush_period?: number;
      readonly tag_format?: StatsdTagFormat;
    };
  };
  readonly logger?: { readonly verbose?: boolean };
  readonly kafka?: SinkSection;
  readonly kinesis?: SinkSection;
  readonly pubsub?: SinkSection;
  readonly zmq?: SinkSection;
  readonly mqtt?: SinkSection;
  readonly redis?: SinkSection;
  readonly nats?: SinkSection;
  readonly rate_limit?: {
    readonly enabled?: boolean;
    readonly message_limit?: number;
    readonly message_interval_time?: number;
  };
  readonly records?: Readonly<Record<string, readonly SinkName[]>>;
  readonly tls?: {
    readonly server_cert: string;
    readonly server_key: string;
    readonly ca_file?: string;
  };
  readonly use_default_eng_ca?: boolean;
  readonly airbrake?: AirbrakeSection;
}

export type StatsdTagFormat = 'influxdb' | 'datadog' | 'none';

/** Where unexpected errors are reported (the reference server's keys). */
export interface AirbrakeSection {
  readonly host?: string;
  readonly project_id?: number;
  /** The environment variable AIRBRAKE_PROJECT_KEY takes precedence, as in the reference. */
  readonly project_key?: string;
  readonly environment?: string;
  /** TLS towards the Airbrake host: extra trusted CA, and a client certificate and key. */
  readonly tls?: {
    readonly ca_file?: string;
    readonly server_cert?: string;
    readonly server_key?: string;
  };
}
