/** The gRPC status codes the sink acts on (google.rpc.Code). */
export const Status = {
  CANCELLED: 1,
  UNKNOWN: 2,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  RESOURCE_EXHAUSTED: 8,
  ABORTED: 10,
  INTERNAL: 13,
  UNAVAILABLE: 14,
} as const;

/** What a failed call means for the records in it. */
export type Verdict =
  /** Pub/Sub could not be reached: wait and publish again. */
  | 'unreachable'
  /** The service had a passing problem (overload, internal error): wait and publish again. */
  | 'passing'
  /** The topic is gone: create it again, then publish again. */
  | 'topic-missing'
  /** Publishing again cannot help (permissions, a rejected message, ...). */
  | 'permanent';

export function statusCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** The Publish retry codes Google's client uses, split by what they say about the service. */
export function verdict(error: unknown): Verdict {
  switch (statusCode(error)) {
    case Status.UNAVAILABLE:
    case Status.DEADLINE_EXCEEDED:
      return 'unreachable';
    case Status.NOT_FOUND:
      return 'topic-missing';
    case Status.CANCELLED:
    case Status.UNKNOWN:
    case Status.RESOURCE_EXHAUSTED:
    case Status.ABORTED:
    case Status.INTERNAL:
      return 'passing';
    default:
      return 'permanent';
  }
}
