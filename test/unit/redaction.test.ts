import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { redact, RedactingLogRecordProcessor, RedactingSpanProcessor } from '../../shared/telemetry/redaction';

describe('redaction of logs and traces', () => {
  it('when a text names an account, carries a token or a signed URL, then each is replaced', () => {
    expect(redact("Resource 'camille.martin@region.fr' does not exist")).toBe("Resource '[upn]' does not exist");
    expect(redact('GET https://graph.microsoft.com/v1.0/users/camille.martin%40region.fr?$select=id')).toBe(
      'GET https://graph.microsoft.com/v1.0/users/[upn]?[redacted]',
    );
    expect(redact('Bearer eyJhbGciOiJSUzI1NiJ9.eyJvaWQiOiIxIn0.c2lnbmF0dXJl')).toBe('Bearer [token]');
    expect(redact('onboarding E10042.1: step failed')).toBe('onboarding E10042.1: step failed');
  });

  it('when an instrumentation records an outgoing request, then the span keeps no upn and no signature', () => {
    // What @opentelemetry/instrumentation-http sets on an outgoing request's span (semantic conventions).
    const spans = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      spanProcessors: [new RedactingSpanProcessor(), new SimpleSpanProcessor(spans)],
    });
    const webhook =
      'https://prod-12.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?sv=1.0&sig=s3cr3t';
    provider
      .getTracer('test')
      .startSpan('POST', {
        attributes: {
          'url.full': webhook,
          'url.path': '/v1.0/users/camille.martin@region.fr',
          'http.response.status_code': 202,
        },
      })
      .end();
    const [span] = spans.getFinishedSpans();
    expect(span?.attributes).toEqual({
      'url.full': 'https://prod-12.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?[redacted]',
      'url.path': '/v1.0/users/[upn]',
      'http.response.status_code': 202,
    });
  });

  it('when a log record carries an account, then its body is redacted before export', () => {
    let body: unknown = 'no account camille.martin@region.fr in the directory';
    new RedactingLogRecordProcessor().onEmit({
      get body() {
        return body;
      },
      setBody: (b: string) => (body = b),
    });
    expect(body).toBe('no account [upn] in the directory');
  });
});
