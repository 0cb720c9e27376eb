package dashboard_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/hookengine/hookengine/dashboard"
)

// The page and its assets are served under dashboard.Path, next to the
// Management API on the same mux.
func ExampleHandler() {
	mux := http.NewServeMux()
	mux.Handle(dashboard.Path, dashboard.Handler())

	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, dashboard.Path, nil))
	fmt.Println(rec.Code, rec.Header().Get("Content-Type"))
	// Output: 200 text/html; charset=utf-8
}

// Points is what the page shows of each extensibility point.
func ExamplePoints() {
	points, err := dashboard.Points()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range points {
		fmt.Println(p.ID, p.Params, p.Blocking)
	}
	// Output:
	// credentials-exchange [client scope audience context cb] true
	// pre-user-registration [user context cb] true
	// post-user-registration [user context cb] false
	// post-change-password [user context cb] false
	// send-phone-message [recipient text context cb] true
}
