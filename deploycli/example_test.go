package deploycli_test

import (
	"context"
	"fmt"

	"github.com/hookengine/hookengine/deploycli"
	"github.com/hookengine/hookengine/store"
)

func ExampleReplaceKeywords() {
	m := deploycli.Mappings{"TENANT": "acme", "AUDIENCES": []any{"https://a.example/", "https://b.example/"}}
	fmt.Println(deploycli.ReplaceKeywords(`claims['https://##TENANT##.example/x'] = @@AUDIENCES@@;`, m))
	// Output: claims['https://acme.example/x'] = ["https://a.example/","https://b.example/"];
}

// Import a tenant.yaml into a store. Importing it again only writes the
// secrets whose values the file holds, as deploy-cli did.
func ExampleNewPlan() {
	ctx := context.Background()
	st := store.NewMemory()
	target := deploycli.NewStoreTarget(st)
	files, err := deploycli.Read("../testdata/deploycli/yaml/tenant.yaml", deploycli.Mappings{"MAIL_TOKEN": "t"})
	if err != nil {
		panic(err)
	}
	plan, err := deploycli.NewPlan(ctx, target, files.Hooks, deploycli.PlanOptions{})
	if err != nil {
		panic(err)
	}
	for _, l := range plan.Lines() {
		fmt.Println(l)
	}
	if err := plan.Apply(ctx, target); err != nil {
		panic(err)
	}
	again, _ := deploycli.NewPlan(ctx, target, files.Hooks, deploycli.PlanOptions{})
	for _, l := range again.Lines() {
		fmt.Println(l)
	}
	// Output:
	// create  credentials-exchange   client-credentials-exchange: enabled; add secrets api-key
	// create  post-user-registration welcome-mail: enabled; add secrets MAIL_TOKEN
	// create  post-change-password   password-audit
	// update  credentials-exchange   client-credentials-exchange: update secrets api-key
	// update  post-user-registration welcome-mail: update secrets MAIL_TOKEN
	// keep    post-change-password   password-audit: unchanged
}
