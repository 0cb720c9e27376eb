package engine_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/hookengine/hookengine/engine"
	"github.com/hookengine/hookengine/enginetest"
	"github.com/hookengine/hookengine/triggers"
)

// TestTracing checks the spans of a run that fetches: the run's span is a
// child of the caller's, the fetch's a child of the run's, and the API the
// hook calls gets the trace in its traceparent header. Without a tracer
// provider, no header is sent.
func TestTracing(t *testing.T) {
	headers := make(chan string, 4)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		headers <- r.Header.Get("Traceparent")
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"tier":"gold"}`))
	}))
	defer api.Close()
	h := engine.Hook{ID: "01GBPZWEFDT9RFR6PN6939RZZD", Name: "fetcher", Trigger: triggers.PreUserRegistration,
		Script: script(t, "fetch/get-json.js"), Secrets: map[string]string{"API": api.URL, "TOKEN": "t"}}
	fo := engine.FetchOptions{}
	fo.Allow = []string{"127.0.0.1"}

	tests := []struct {
		desc   string
		traced bool
	}{
		{"traced", true},
		{"not traced", false},
	}
	for _, tt := range tests {
		rec := tracetest.NewSpanRecorder()
		tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
		opts := []engine.Option{engine.WithFetch(fo)}
		if tt.traced {
			opts = append(opts, engine.WithTracerProvider(tp))
		}
		e := enginetest.New(t, opts...)
		ctx, parent := tp.Tracer("test").Start(context.Background(), "caller")
		res, err := e.Run(ctx, h, input(t, triggers.PreUserRegistration))
		parent.End()
		if err != nil || !res.Envelope.Succeeded() {
			t.Fatalf("%s: run: %v %s", tt.desc, err, res.Envelope.Data)
		}
		header := <-headers
		spans := map[string]sdktrace.ReadOnlySpan{}
		for _, s := range rec.Ended() {
			spans[s.Name()] = s
		}
		if !tt.traced {
			if header != "" || len(spans) != 1 {
				t.Errorf("%s: traceparent %q, %d spans; want none but the caller's", tt.desc, header, len(spans))
			}
			continue
		}
		run, fetchSpan := spans["hookengine.run"], spans["fetch GET"]
		if run == nil || fetchSpan == nil {
			t.Fatalf("%s: spans %v", tt.desc, spans)
		}
		traceID := parent.SpanContext().TraceID()
		if run.Parent().SpanID() != parent.SpanContext().SpanID() || fetchSpan.Parent().SpanID() != run.SpanContext().SpanID() ||
			fetchSpan.SpanContext().TraceID() != traceID {
			t.Errorf("%s: spans not nested: run's parent %v, fetch's parent %v", tt.desc, run.Parent(), fetchSpan.Parent())
		}
		want := "00-" + traceID.String() + "-" + fetchSpan.SpanContext().SpanID().String() + "-01"
		if header != want {
			t.Errorf("%s: traceparent %q, want %q", tt.desc, header, want)
		}
		if fetchSpan.SpanKind() != trace.SpanKindClient {
			t.Errorf("%s: fetch span kind %v", tt.desc, fetchSpan.SpanKind())
		}
	}
}
