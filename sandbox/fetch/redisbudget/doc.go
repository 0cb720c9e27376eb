// Package redisbudget keeps the rate-limit budgets of fetch Throttles in
// Redis (go-redis), so that several processes calling the same APIs, such
// as replicas of a server behind a load balancer, share each origin's
// budget, requests in flight and 429 back-off instead of each spending the
// budget as if it were alone (see fetch.SharedBudget).
//
// Each decision is one Lua script, so it is atomic across processes. Per
// origin, Redis holds a hash of what the latest responses said (limit,
// remaining, reset time, back-off), a sorted set of the requests in flight
// (each with a lease, so that a process that dies does not hold its
// requests forever) and a sorted set of the processes that used it lately.
// Keys carry the origin in a hash tag, so one origin's keys live on one
// Redis Cluster slot, and expire after ten idle minutes.
//
//	rdb := redis.NewClient(opts)
//	fo := fetch.Options{}
//	fo.Shared = redisbudget.New(rdb, redisbudget.Options{})
//	e, err := engine.New(engine.WithFetch(engine.FetchOptions{Options: fo}))
package redisbudget
