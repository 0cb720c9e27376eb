// Package workerproto is the wire format between an engine and its worker
// processes (engine.WithProcessIsolation): length-prefixed frames, each one
// JSON-encoded Message.
//
// A frame is a 4-byte big-endian length followed by that many bytes of
// JSON. Frames larger than MaxFrame are refused by both sides: the reader
// returns ErrFrameTooLarge without allocating, and the writer refuses to
// send them. The parent reads what a worker writes as untrusted input (a
// worker runs tenant scripts), so Reader never panics and never allocates
// more than MaxFrame for one frame, whatever the bytes.
package workerproto
