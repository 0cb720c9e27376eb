module github.com/dop251/goja

go 1.25.0

require (
	github.com/dlclark/regexp2/v2 v2.5.2
	github.com/go-sourcemap/sourcemap v2.1.3+incompatible
	github.com/google/pprof v0.0.0-20230207041349-798e818bf904
	golang.org/x/text v0.3.8
)
