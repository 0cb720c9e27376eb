package hookbench_test

import (
	"context"
	"fmt"

	"github.com/hookengine/hookengine/engine"
	"github.com/hookengine/hookengine/internal/hookbench"
	"github.com/hookengine/hookengine/triggers"
)

// Two versions of a hook, measured interleaved and compared; WriteTable,
// WriteJSON and WriteGobench print the report.
func ExampleRun() {
	hook := func(script string) engine.Hook {
		return engine.Hook{Trigger: triggers.CredentialsExchange, Script: script}
	}
	input := []byte(`{"client":{"id":"c1","name":"reports","tenant":"acme","metadata":{}},"scope":["read:users"],"audience":"https://api.example.com","context":{}}`)
	rep, err := hookbench.Run(context.Background(), hookbench.Config{
		Cases: []hookbench.Case{
			{Name: "old.js", Hook: hook(`module.exports = function (client, scope, audience, context, cb) { cb(null, { scope: scope }); };`), Input: input},
			{Name: "new.js", Hook: hook(`module.exports = function (client, scope, audience, context, cb) { cb(null, { scope: scope.concat(['extra']) }); };`), Input: input},
		},
		Count:   20,
		Samples: 4,
		Cold:    2,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range rep.Cases {
		fmt.Println(c.Name, c.Runs, "warm runs,", c.Cold.Wall.N, "cold, outcomes", c.Outcomes)
	}
	fmt.Println(len(rep.Comparisons), "comparisons with", rep.Comparisons[0].Baseline)
	// Output:
	// old.js 20 warm runs, 2 cold, outcomes map[success:20]
	// new.js 20 warm runs, 2 cold, outcomes map[success:20]
	// 2 comparisons with old.js
}
