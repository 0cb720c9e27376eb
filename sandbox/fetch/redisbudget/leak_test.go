package redisbudget_test

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/hookengine/hookengine/internal/leaktest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, leaktest.Options()...)
}
