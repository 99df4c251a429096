import {
  agentPolicy,
  bearerTokenAuthenticationPolicy,
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineFromOptions,
  createPipelineRequest,
  isRestError,
  type HttpClient,
  type Pipeline,
  type PipelinePolicy,
  type PipelineRequest,
  type PipelineResponse,
} from '@azure/core-rest-pipeline';
import type { TokenCredential } from '@azure/identity';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Agent } from 'node:https';
import { TransientError } from '../../ports/provisioners';
import { redact } from '../../telemetry/redaction';
import { demandOf, type CallPriority, type GraphBudget, type GraphSignals } from './graph-budget';

export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';

const currentPriority = new AsyncLocalStorage<CallPriority>();

/** Runs `work` with its Graph calls at `priority` (whose they are, when the budget is short). */
export function withCallPriority<T>(priority: CallPriority, work: () => Promise<T>): Promise<T> {
  return currentPriority.run(priority, work);
}

/** An error answer of Microsoft Graph: `{"error":{"code","message"}}` with its HTTP status. */
export class GraphError extends Error {
  override readonly name = 'GraphError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    // Graph's messages may name the account ("Resource 'x@y' does not exist"): they go into step details, the
    // history and logs, so the account is left out from the start.
    super(redact(message));
  }

  /** Throttling, 5xx and request timeouts are worth retrying; other 4xx are not. */
  get isTransient(): boolean {
    return this.status === 429 || this.status === 408 || this.status >= 500;
  }
}

export interface GraphClientOptions {
  /** e.g. https://graph.microsoft.com/v1.0 */
  baseUrl: string;
  credential: TokenCredential;
  /** Retries inside one call (429 honours Retry-After; 5xx, 408 and network errors back off exponentially with jitter). */
  maxRetries?: number;
  retryDelayInMs?: number;
  maxRetryDelayInMs?: number;
  timeoutMs?: number;
  /** Only for the simulated tenant, whose certificate is trusted by this agent alone. */
  agent?: Agent;
  /** The budget every instance shares: each attempt of a call takes its cost from it first. */
  budget?: GraphBudget;
}

/** How Graph says a call went, for the budget. */
function signalsOf(response: PipelineResponse): GraphSignals {
  const number = (name: string) => {
    const value = Number(response.headers.get(name));
    return response.headers.get(name) !== undefined && Number.isFinite(value) ? value : undefined;
  };
  const resourceUnits = number('x-ms-resource-unit');
  const limitPercentage = number('x-ms-throttle-limit-percentage');
  const retryAfterSeconds = parseRetryAfter(response.headers.get('retry-after'));
  return {
    status: response.status,
    ...(resourceUnits !== undefined ? { resourceUnits } : {}),
    ...(limitPercentage !== undefined ? { limitPercentage } : {}),
    ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
  };
}

function parseRetryAfter(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

/**
 * A small Microsoft Graph client on the Azure SDK's HTTP pipeline (@azure/core-rest-pipeline): bearer
 * tokens from any @azure/identity credential, and its tested retry policies (throttling with
 * Retry-After, exponential back-off with jitter) rather than a hand-written loop.
 */
export class GraphClient {
  private readonly pipeline: Pipeline;
  private readonly httpClient: HttpClient = createDefaultHttpClient();
  /** The priority of each request in flight, for the budget policy. */
  private readonly priorities = new WeakMap<PipelineRequest, CallPriority>();

  constructor(private readonly options: GraphClientOptions) {
    this.pipeline = createPipelineFromOptions({
      retryOptions: {
        maxRetries: options.maxRetries ?? 4,
        retryDelayInMs: options.retryDelayInMs ?? 500,
        maxRetryDelayInMs: options.maxRetryDelayInMs ?? 8000,
      },
      userAgentOptions: { userAgentPrefix: 'dsi-onboarding' },
    });
    this.pipeline.addPolicy(bearerTokenAuthenticationPolicy({ credential: options.credential, scopes: GRAPH_SCOPE }));
    if (options.agent) this.pipeline.addPolicy(agentPolicy(options.agent));
    const budget = options.budget;
    if (budget) {
      // After the retry policy: every attempt, the retries of a 429 or a 503 too, waits for its tokens.
      const policy: PipelinePolicy = {
        name: 'graphBudgetPolicy',
        sendRequest: async (request, next) => {
          const demand = demandOf(request.method, request.url);
          await budget.acquire(demand, this.priorities.get(request) ?? 'standard');
          const response = await next(request);
          await budget.settle(demand, signalsOf(response));
          return response;
        },
      };
      this.pipeline.addPolicy(policy, { afterPhase: 'Retry' });
    }
  }

  /**
   * The path, for `call`, of a link Graph answered (an `@odata.nextLink`: an absolute URL under the base URL). A link
   * anywhere else is refused: the bearer token goes to Graph only.
   */
  pathOf(link: string): string {
    const base = `${this.options.baseUrl}/`;
    if (!link.startsWith(base)) throw new Error(`Microsoft Graph answered a link outside ${this.options.baseUrl}`);
    return link.slice(base.length - 1);
  }

  /**
   * Sends one Graph call; answers the parsed JSON body (undefined for 204), or throws GraphError /
   * TransientError. Its priority when the budget is short: as `withCallPriority` set it, else standard.
   */
  async call<T>(method: 'GET' | 'POST' | 'DELETE' | 'PATCH', path: string, body?: unknown): Promise<T> {
    const request = createPipelineRequest({
      url: `${this.options.baseUrl}${path}`,
      method,
      headers: createHttpHeaders({
        accept: 'application/json',
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      }),
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      timeout: this.options.timeoutMs ?? 30_000,
    });
    this.priorities.set(request, currentPriority.getStore() ?? 'standard');
    let response;
    try {
      response = await this.pipeline.sendRequest(this.httpClient, request);
    } catch (err) {
      // No answer at all (timeout, connection refused or reset) after the pipeline's own retries.
      const detail = isRestError(err) ? (err.code ?? err.message) : err instanceof Error ? err.message : String(err);
      throw new TransientError(`Microsoft Graph did not answer ${method} ${path}: ${detail}`);
    }
    const text = response.bodyAsText ?? '';
    if (response.status >= 200 && response.status < 300) return (text ? JSON.parse(text) : undefined) as T;
    let code = `HTTP${response.status}`;
    let message = text.slice(0, 500);
    try {
      const parsed = JSON.parse(text) as { error?: { code?: string; message?: string } };
      code = parsed.error?.code ?? code;
      message = parsed.error?.message ?? message;
    } catch {
      // not JSON: keep the raw text
    }
    throw new GraphError(response.status, code, message, parseRetryAfter(response.headers.get('retry-after')));
  }
}
