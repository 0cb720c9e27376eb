package enginetest

import (
	"testing"
	"time"
)

func TestClockRunsCallbacksInOrder(t *testing.T) {
	c := NewClock(time.Unix(0, 0))
	var got []string
	at := func(name string) func() {
		return func() { got = append(got, name+"@"+c.Now().Sub(time.Unix(0, 0)).String()) }
	}
	c.AfterFunc(3*time.Second, at("c"))
	c.AfterFunc(time.Second, at("a"))
	stopped := c.AfterFunc(2*time.Second, at("stopped"))
	reset := c.AfterFunc(time.Hour, at("reset"))
	if !stopped.Stop() || stopped.Stop() {
		t.Error("Stop must report true once, then false")
	}
	reset.Reset(2 * time.Second)
	if c.Timers() != 3 {
		t.Errorf("Timers() = %d, want 3", c.Timers())
	}
	c.Advance(2500 * time.Millisecond)
	c.Advance(time.Second)
	want := []string{"a@1s", "reset@2s", "c@3s"}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("callback %d = %s, want %s", i, got[i], want[i])
		}
	}
	if now := c.Now(); !now.Equal(time.Unix(3, 500_000_000)) {
		t.Errorf("Now() = %v", now)
	}
}

func TestClockBlockUntil(t *testing.T) {
	c := NewClock(time.Unix(0, 0))
	done := make(chan struct{})
	go func() {
		c.BlockUntil(2)
		close(done)
	}()
	c.AfterFunc(time.Second, func() {})
	select {
	case <-done:
		t.Fatal("BlockUntil(2) returned with one timer")
	case <-time.After(10 * time.Millisecond):
	}
	c.AfterFunc(time.Second, func() {})
	<-done
}

func TestClockAdvanceToNext(t *testing.T) {
	c := NewClock(time.Unix(0, 0))
	if c.AdvanceToNext() {
		t.Fatal("AdvanceToNext with no timers reported true")
	}
	fired := 0
	c.AfterFunc(5*time.Second, func() { fired++ })
	c.AfterFunc(9*time.Second, func() { fired++ })
	if !c.AdvanceToNext() || fired != 1 || !c.Now().Equal(time.Unix(5, 0)) {
		t.Errorf("after one step: fired %d, now %v", fired, c.Now())
	}
	if at, ok := c.Next(); !ok || !at.Equal(time.Unix(9, 0)) {
		t.Errorf("Next() = %v, %v", at, ok)
	}
}
