package workerproto_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/hookengine/hookengine/internal/workerproto"
)

func frame(payload string) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(payload)))
	return append(b, payload...)
}

func TestRoundTrip(t *testing.T) {
	msgs := []*workerproto.Message{
		{Kind: workerproto.KindInit, Init: &workerproto.Init{Limits: workerproto.Limits{WallTime: time.Second, Memory: 1 << 20}, LogLevel: -1}},
		{Kind: workerproto.KindRun, Run: 7, Start: &workerproto.Start{ExecutionID: "x", Input: `{"a":1}`,
			Hook: workerproto.Hook{Trigger: "t", Script: "s", Secrets: map[string]string{"K": "v\u2028"}}}},
		{Kind: workerproto.KindFetch, Run: 7, Fetch: 2, Request: &workerproto.Request{Method: "GET", URL: "http://x/",
			Header: http.Header{"A": {"b"}}, Body: []byte{0, 1, 255}}},
		{Kind: workerproto.KindResult, Run: 7, Result: &workerproto.Result{Status: "error",
			Err: &workerproto.Error{Code: "wall", Limit: "1s"}, CPUTime: time.Millisecond}},
	}
	var buf bytes.Buffer
	w := workerproto.NewWriter(&buf)
	for _, m := range msgs {
		if err := w.Write(m); err != nil {
			t.Fatal(err)
		}
	}
	r := workerproto.NewReader(&buf)
	for i, want := range msgs {
		got, err := r.Read()
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("message %d:\n got %+v\nwant %+v", i, got, want)
		}
	}
	if _, err := r.Read(); err != io.EOF {
		t.Errorf("at the end: %v, want io.EOF", err)
	}
}

func TestReadRejects(t *testing.T) {
	huge := binary.BigEndian.AppendUint32(nil, workerproto.MaxFrame+1)
	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{"too large", huge, workerproto.ErrFrameTooLarge},
		{"truncated header", []byte{0, 0}, io.ErrUnexpectedEOF},
		{"truncated body", frame(`{"k":"run"}`)[:8], io.ErrUnexpectedEOF},
		{"not json", frame(`nope`), workerproto.ErrBadFrame},
		{"no kind", frame(`{}`), workerproto.ErrBadFrame},
		{"wrong type", frame(`{"k":"run","r":"x"}`), workerproto.ErrBadFrame},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := workerproto.NewReader(bytes.NewReader(tt.in)).Read()
			if !errors.Is(err, tt.want) {
				t.Errorf("Read = %v, want %v", err, tt.want)
			}
		})
	}
}

// FuzzReader feeds arbitrary bytes to the frame decoder the parent uses on
// what workers write: it must return messages or errors, never panic or
// allocate past MaxFrame.
func FuzzReader(f *testing.F) {
	f.Add(frame(`{"k":"result","r":1,"result":{"status":"success","data":{"a":1}}}`))
	f.Add(frame(`{"k":"log","log":{"t":"2024-01-01T00:00:00Z","l":0,"m":"hi","f":[{"k":"a","v":1}]}}`))
	f.Add(frame(`{"k":"fetch","r":1,"f":1,"req":{"method":"GET","url":"http://a/","body":"AAE="}}`))
	f.Add(append(frame(`{"k":"ready","ready":{"pid":1}}`), 0xff, 0xff, 0xff, 0xff))
	f.Fuzz(func(t *testing.T, b []byte) {
		r := workerproto.NewReader(bytes.NewReader(b))
		for i := 0; i < 16; i++ {
			m, err := r.Read()
			if err != nil {
				return
			}
			if m.Kind == "" {
				t.Fatal("a message without a kind was accepted")
			}
		}
	})
}
