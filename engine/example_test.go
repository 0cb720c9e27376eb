package engine_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dop251/goja"

	"github.com/hookengine/hookengine/engine"
	"github.com/hookengine/hookengine/sandbox"
	"github.com/hookengine/hookengine/triggers"
)

// A pre-user-registration hook adds metadata to the new user.
func ExampleEngine_Run() {
	e, err := engine.New()
	if err != nil {
		panic(err)
	}
	defer e.Close()

	hook := engine.Hook{
		Name:    "add-plan",
		Trigger: triggers.PreUserRegistration,
		Script: `module.exports = function (user, context, cb) {
  console.log('signup from', context.connection.name);
  cb(null, { user: { app_metadata: { plan: 'trial' } } });
};`,
	}
	input := triggers.PreUserRegistrationInput{
		User:    triggers.RegistrationUser{Email: "ada@example.com"},
		Context: triggers.RegistrationContext{Connection: triggers.Connection{Name: "Username-Password-Authentication"}},
	}
	res, err := e.Run(context.Background(), hook, input)
	if err != nil {
		panic(err)
	}
	outcome := res.Outcome().(*triggers.PreUserRegistrationOutcome)
	fmt.Println(res.Envelope.Status, string(res.Envelope.Data))
	fmt.Println("app_metadata:", outcome.AppMetadata)
	fmt.Println("console:", res.Logs[0].Message)
	// Output:
	// success {"user":{"app_metadata":{"plan":"trial"}}}
	// app_metadata: map[plan:trial]
	// console: signup from Username-Password-Authentication
}

// A credentials-exchange hook that refuses a scope: the outcome is the OAuth
// error /oauth/token answers with.
func ExampleEngine_Run_credentialsExchange() {
	e, _ := engine.New()
	defer e.Close()

	hook := engine.Hook{
		Trigger: triggers.CredentialsExchange,
		Script: `module.exports = function (client, scope, audience, context, cb) {
  if (scope.includes('admin')) return cb(new InvalidScopeError('admin is not for ' + client.name));
  cb(null, { scope: scope, 'https://example.com/tier': 'gold', 'https://auth0.com/nope': 1 });
};`,
	}
	for _, scope := range [][]string{{"read:users"}, {"admin"}} {
		res, _ := e.Run(context.Background(), hook, triggers.CredentialsExchangeInput{
			Client: triggers.Client{Name: "reports"}, Scope: scope, Audience: "https://api.example.com/",
		})
		o := res.Outcome().(*triggers.CredentialsExchangeOutcome)
		if o.OAuthError != nil {
			fmt.Println(o.OAuthError.StatusCode, o.OAuthError.Code, o.OAuthError.Description)
			continue
		}
		fmt.Println(o.Scope, o.Claims, o.Ignored)
	}
	// Output:
	// [read:users] map[https://example.com/tier:gold] [https://auth0.com/nope]
	// 400 invalid_scope admin is not for reports
}

// Each limit ends a run with its own error.
func ExampleLimits() {
	e, _ := engine.New(engine.WithLimits(engine.Limits{CPUTime: 50 * time.Millisecond}))
	defer e.Close()

	hook := engine.Hook{
		Trigger: triggers.PostChangePassword,
		Script:  `module.exports = function (user, context, cb) { while (true) {} };`,
	}
	res, err := e.Run(context.Background(), hook, `{"user":{},"context":{"connection":{}}}`)
	fmt.Println(errors.Is(err, engine.ErrCPUTimeExceeded))
	fmt.Println(string(res.Envelope.Data))
	// Output:
	// true
	// {"message":"Script exceeded its CPU time limit","code":"cpu_time_exceeded","limit":"50ms"}
}

// Post-user-registration hooks ran without holding up the signup.
func ExampleEngine_RunAsync() {
	e, _ := engine.New()
	hook := engine.Hook{
		Trigger: triggers.PostUserRegistration,
		Script:  `module.exports = function (user, context, cb) { cb(); };`,
	}
	err := e.RunAsync(context.Background(), hook, `{"user":{"id":"u1"},"context":{"connection":{}}}`)
	fmt.Println(err)
	// Shutdown waits for runs in progress.
	fmt.Println(e.Shutdown(context.Background()))
	// Output:
	// <nil>
	// <nil>
}

// A module's Go function that ignores interruption holds its runtime past
// the run's limit: Run answers at the limit anyway, and once the engine holds
// as many stuck runtimes as WithStuckRuntimes allows, the hook that owns them
// is refused until they come back.
func ExampleWithStuckRuntimes() {
	release := make(chan struct{})
	slow := func(vm *goja.Runtime, module *goja.Object) {
		// Stands for a long native operation goja cannot interrupt.
		_ = module.Get("exports").(*goja.Object).Set("wait", func() { <-release })
	}
	e, err := engine.New(engine.WithModule("slow", slow), engine.WithStuckRuntimes(1, 20*time.Millisecond))
	if err != nil {
		panic(err)
	}
	defer e.Close()

	hook := engine.Hook{
		ID:      "tenant-42",
		Trigger: triggers.PreUserRegistration,
		Script:  `module.exports = function (user, context, cb) { require('slow').wait(); cb(); };`,
		Limits:  engine.Limits{WallTime: 50 * time.Millisecond},
	}
	input := triggers.PreUserRegistrationInput{
		User:    triggers.RegistrationUser{Email: "ada@example.com"},
		Context: triggers.RegistrationContext{Connection: triggers.Connection{Name: "Username-Password-Authentication"}},
	}
	_, err = e.Run(context.Background(), hook, input)
	fmt.Println("first run:", errors.Is(err, engine.ErrWallTimeExceeded), "stuck:", e.Stats().StuckRuntimes)

	_, err = e.Run(context.Background(), hook, input)
	fmt.Println("second run quarantined:", errors.Is(err, engine.ErrHookQuarantined))

	close(release) // the native returns; its runtime is dropped
	for e.Stats().StuckRuntimes > 0 {
		time.Sleep(time.Millisecond)
	}
	fmt.Println("stuck after release:", e.Stats().StuckRuntimes)
	// Output:
	// first run: true stuck: 1
	// second run quarantined: true
	// stuck after release: 0
}

// The same engine runs Auth0 Actions: the handler gets event and api, and
// the outcome is typed as for a Hook.
func ExampleEngine_Run_action() {
	e, err := engine.New()
	if err != nil {
		panic(err)
	}
	defer e.Close()

	hook := engine.Hook{
		Trigger: triggers.PreUserRegistration,
		Script: `exports.onExecutePreUserRegistration = async (event, api) => {
  if (event.user.email.endsWith('@example.net')) {
    api.access.deny('blocked domain', 'Sign up with your work address.');
    return;
  }
  api.user.setAppMetadata('plan', 'trial');
};`,
	}
	for _, email := range []string{"ada@example.com", "eve@example.net"} {
		input := triggers.PreUserRegistrationInput{
			User:    triggers.RegistrationUser{Email: email},
			Context: triggers.RegistrationContext{Connection: triggers.Connection{Name: "Username-Password-Authentication"}},
		}
		res, err := e.Run(context.Background(), hook, input)
		if err != nil {
			panic(err)
		}
		o := res.Outcome().(*triggers.PreUserRegistrationOutcome)
		if o.Denied() {
			fmt.Println(res.Form, email, "denied:", o.Failure.FriendlyMessage)
			continue
		}
		fmt.Println(res.Form, email, "app_metadata:", o.AppMetadata)
	}
	// Output:
	// action ada@example.com app_metadata: map[plan:trial]
	// action eve@example.net denied: Sign up with your work address.
}

// CheckDependencies says, per declared package, why the engine cannot
// satisfy it; here the engine has no node_modules directory.
func ExampleEngine_CheckDependencies() {
	e, err := engine.New()
	if err != nil {
		panic(err)
	}
	defer e.Close()

	err = e.CheckDependencies(map[string]string{"left-pad": "1.3.0", "vm": "*"})
	for _, err := range err.(interface{ Unwrap() []error }).Unwrap() {
		var de *sandbox.DependencyError
		if errors.As(err, &de) {
			fmt.Println(de.Name, de.Problem)
		}
	}
	// Output:
	// left-pad missing
	// vm core_module
}
