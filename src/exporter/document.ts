/**
 * The X-Ray segment document, as sent to the daemon. Field names are X-Ray's (snake_case) because
 * these objects are serialized verbatim. See schema/segment-document.schema.json.
 */

export type AnnotationValue = string | number | boolean;

export interface HttpRequest {
  method?: string;
  url?: string;
  user_agent?: string;
  client_ip?: string;
  x_forwarded_for?: boolean;
  traced?: boolean;
}

export interface HttpResponse {
  status?: number;
  content_length?: number;
}

export interface HttpBlock {
  request?: HttpRequest;
  response?: HttpResponse;
}

export interface SqlBlock {
  url?: string;
  connection_string?: string;
  sanitized_query?: string;
  database_type?: string;
  database_version?: string;
  driver_version?: string;
  user?: string;
  preparation?: 'call' | 'statement';
}

export interface AwsBlock {
  operation?: string;
  region?: string;
  request_id?: string;
  queue_url?: string;
  table_name?: string;
  table_names?: string[];
  account_id?: string;
  xray?: { sdk?: string; sdk_version?: string; auto_instrumentation?: boolean };
  ec2?: { instance_id?: string; availability_zone?: string; instance_size?: string; ami_id?: string };
  ecs?: {
    container?: string;
    container_id?: string;
    task_arn?: string;
    task_family?: string;
    cluster_arn?: string;
    container_arn?: string;
    launch_type?: string;
    availability_zone?: string;
  };
  eks?: { pod?: string; cluster_name?: string; container_id?: string };
  elastic_beanstalk?: { environment_name?: string; version_label?: string; deployment_id?: number };
  [key: string]: unknown;
}

export interface StackFrame {
  path?: string;
  line?: number;
  label?: string;
}

export interface ExceptionDocument {
  id: string;
  type?: string;
  message?: string;
  remote?: boolean;
  truncated?: number;
  skipped?: number;
  cause?: string;
  stack?: StackFrame[];
}

export interface CauseBlock {
  working_directory?: string;
  paths?: string[];
  exceptions?: ExceptionDocument[];
}

export interface LinkDocument {
  trace_id: string;
  id: string;
  attributes?: Record<string, unknown>;
}

/** Fields shared by segments and (embedded or independent) subsegments. */
export interface EntityDocument {
  name: string;
  id: string;
  start_time: number;
  end_time?: number;
  in_progress?: boolean;
  trace_id?: string;
  parent_id?: string;
  type?: 'subsegment';
  namespace?: 'aws' | 'remote';
  origin?: string;
  user?: string;
  resource_arn?: string;
  error?: boolean;
  fault?: boolean;
  throttle?: boolean;
  traced?: boolean;
  precursor_ids?: string[];
  service?: { version?: string; [key: string]: unknown };
  http?: HttpBlock;
  aws?: AwsBlock;
  sql?: SqlBlock;
  annotations?: Record<string, AnnotationValue>;
  metadata?: Record<string, Record<string, unknown>>;
  cause?: CauseBlock | string;
  links?: LinkDocument[];
  subsegments?: EntityDocument[];
}

/** A top-level document: a segment, or an independent subsegment (`type`, `trace_id`, `parent_id`). */
export interface SegmentDocument extends EntityDocument {
  trace_id: string;
}
