package engine

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// tracerName names the engine's tracer.
const tracerName = "github.com/hookengine/hookengine/engine"

// WithTracerProvider makes the engine record an OpenTelemetry span per run
// ("hookengine.run", a child of the span in the context given to Run) and
// one per fetch request of a hook (see fetch.Options.TracerProvider), which
// also sends the W3C traceparent header, so the APIs a hook calls continue
// the caller's trace. Default none: no spans, no header.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return optionFunc(func(c *config) error {
		c.tracerProvider = tp
		return nil
	})
}

// startRunSpan starts the span of a run of h, when the engine traces.
func (e *Engine) startRunSpan(ctx context.Context, h *Hook) (context.Context, trace.Span) {
	if e.tracer == nil {
		return ctx, nil
	}
	return e.tracer.Start(ctx, "hookengine.run", trace.WithSpanKind(trace.SpanKindInternal), trace.WithAttributes(
		attribute.String("hookengine.hook.id", h.ID),
		attribute.String("hookengine.hook.name", h.Name),
		attribute.String("hookengine.trigger", string(h.Trigger)),
	))
}

// endRunSpan ends the span of a run with how it ended.
func endRunSpan(span trace.Span, res *Result, err error) {
	if span == nil {
		return
	}
	if res != nil {
		outcome, limit := outcomeOf(res, err)
		span.SetAttributes(attribute.String("hookengine.execution_id", res.ExecutionID),
			attribute.String("hookengine.outcome", outcome))
		if limit != "" {
			span.SetAttributes(attribute.String("hookengine.limit", limit))
		}
	}
	if err != nil {
		span.SetStatus(codes.Error, err.Error())
	}
	span.End()
}
