package runner_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/hookengine/hookengine/engine"
	"github.com/hookengine/hookengine/runner"
	"github.com/hookengine/hookengine/store"
	"github.com/hookengine/hookengine/triggers"
)

func ExampleRunner_RunTrigger() {
	ctx := context.Background()
	e, err := engine.New()
	if err != nil {
		panic(err)
	}
	defer e.Close()
	st := store.NewMemory()
	r := runner.New(st, e)
	input := `{"user":{"email":"ada@example.com"},"context":{"connection":{"name":"db"}}}`

	_, err = r.RunTrigger(ctx, triggers.PreUserRegistration, input)
	fmt.Println(errors.Is(err, runner.ErrNoHookEnabled))

	h, _ := st.CreateHook(ctx, &store.Hook{Name: "plan", TriggerID: triggers.PreUserRegistration, Enabled: true,
		Script:  `module.exports = function (user, context, cb) { cb(null, { user: { app_metadata: { plan: context.webtask.secrets.PLAN } } }); };`,
		Secrets: map[string]string{"PLAN": "free"}})
	res, _ := r.RunTrigger(ctx, triggers.PreUserRegistration, input)
	fmt.Println(string(res.Envelope.Data))

	// A change is used from the next run on.
	st.UpdateSecrets(ctx, h.ID, map[string]string{"PLAN": "pro"})
	res, _ = r.RunTrigger(ctx, triggers.PreUserRegistration, input)
	fmt.Println(res.Outcome().(*triggers.PreUserRegistrationOutcome).AppMetadata)
	// Output:
	// true
	// {"user":{"app_metadata":{"plan":"free"}}}
	// map[plan:pro]
}
