// Package storetest checks that an implementation of store.Store keeps the
// contract the interface documents: the same suite runs against
// store.Memory, store.SQLite and any store an embedder writes.
//
//	func TestMyStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store { return newMyStore(t) })
//	}
package storetest
