package fetch

import (
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/url"
	"os"
	"syscall"
	"testing"
)

type timeoutError struct{}

func (timeoutError) Error() string   { return "i/o timeout" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }

func TestSystemError(t *testing.T) {
	wrap := func(err error) error { return &url.Error{Op: "Get", URL: "https://api.example.com/x", Err: err} }
	dial := func(errno error) error {
		return wrap(&net.OpError{Op: "dial", Net: "tcp", Addr: &net.TCPAddr{IP: net.IPv4(203, 0, 113, 7), Port: 443},
			Source: &net.TCPAddr{IP: net.IPv4(10, 0, 0, 2), Port: 51515}, Err: os.NewSyscallError("connect", errno)})
	}
	tests := []struct {
		err       error
		code, msg string
	}{
		{wrap(&net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "api.sendgrid.com", Server: "10.255.255.53:53", IsNotFound: true}}),
			"ENOTFOUND", "getaddrinfo ENOTFOUND api.sendgrid.com"},
		{wrap(&net.DNSError{Err: "server misbehaving", Name: "api.sendgrid.com", Server: "10.255.255.53:53", IsTemporary: true}),
			"EAI_AGAIN", "getaddrinfo EAI_AGAIN api.sendgrid.com"},
		{dial(syscall.ECONNREFUSED), "ECONNREFUSED", "connect ECONNREFUSED 203.0.113.7:443"},
		{dial(syscall.EHOSTUNREACH), "EHOSTUNREACH", "connect EHOSTUNREACH 203.0.113.7:443"},
		{wrap(&net.OpError{Op: "dial", Net: "tcp", Addr: &net.TCPAddr{IP: net.IPv4(203, 0, 113, 7), Port: 443}, Err: timeoutError{}}),
			"ETIMEDOUT", "connect ETIMEDOUT 203.0.113.7:443"},
		{wrap(&net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}), "ECONNRESET", "read ECONNRESET"},
		{wrap(&net.OpError{Op: "write", Net: "tcp", Err: os.NewSyscallError("write", syscall.EPIPE)}), "EPIPE", "write EPIPE"},
		{wrap(io.EOF), "ECONNRESET", "socket hang up"},
		{wrap(io.ErrUnexpectedEOF), "ECONNRESET", "socket hang up"},
		{wrap(x509.UnknownAuthorityError{}), "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "unable to verify the first certificate"},
		{wrap(x509.HostnameError{Certificate: &x509.Certificate{}, Host: "x"}), "ERR_TLS_CERT_ALTNAME_INVALID", "Hostname/IP does not match certificate's altnames"},
		{wrap(x509.CertificateInvalidError{Reason: x509.Expired}), "CERT_HAS_EXPIRED", "certificate has expired"},
		{wrap(&net.OpError{Op: "read", Net: "tcp", Err: timeoutError{}}), "ETIMEDOUT", "read ETIMEDOUT"},
	}
	for _, tt := range tests {
		se := systemError(tt.err)
		if se == nil || se.Code != tt.code || se.Error() != tt.msg || !errors.Is(se, ErrNetwork) {
			t.Errorf("%v: got %#v (%v), want %s %q", tt.err, se, se, tt.code, tt.msg)
		}
	}
	for _, err := range []error{errors.New("something else"), ErrBodyTooLarge} {
		if se := systemError(err); se != nil {
			t.Errorf("%v: got %v, want nil", err, se)
		}
	}
}
