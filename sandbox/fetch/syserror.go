package fetch

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"strconv"
	"syscall"
)

// ErrNetwork reports a request that failed in the network: the name did not
// resolve, the connection was refused, reset or timed out, or TLS failed.
// The error is a *SystemError.
var ErrNetwork = errors.New("fetch: network error")

// SystemError is a network failure described as Node.js describes it, so
// that scripts see the codes and messages they were written against
// (getaddrinfo ENOTFOUND api.example.com, connect ECONNREFUSED
// 203.0.113.7:443, read ECONNRESET...). It names the host the request was
// for, never anything of the machine sending it: not the resolver's
// address, nor the local address of the connection.
type SystemError struct {
	// Code is Node's error code: ENOTFOUND, EAI_AGAIN, ECONNREFUSED,
	// ECONNRESET, ETIMEDOUT, EHOSTUNREACH, ENETUNREACH, EPIPE, or a TLS
	// code such as CERT_HAS_EXPIRED.
	Code string
	// Syscall is the operation that failed as Node names it: getaddrinfo,
	// connect, read or write; empty for TLS errors.
	Syscall string
	// Hostname is the name that did not resolve (getaddrinfo errors).
	Hostname string
	// Address and Port are the remote end of a connect error.
	Address string
	Port    int
	// Reason is the message of TLS errors and of a connection closed
	// without a response ("socket hang up").
	Reason string
}

func (e *SystemError) Error() string {
	switch {
	case e.Reason != "":
		return e.Reason
	case e.Hostname != "":
		return e.Syscall + " " + e.Code + " " + e.Hostname
	case e.Address != "":
		return e.Syscall + " " + e.Code + " " + net.JoinHostPort(e.Address, strconv.Itoa(e.Port))
	case e.Syscall != "":
		return e.Syscall + " " + e.Code
	}
	return e.Code
}

// Unwrap returns ErrNetwork.
func (e *SystemError) Unwrap() error { return ErrNetwork }

// errnoCodes are the errno values a connection reports, by Node's name.
var errnoCodes = map[syscall.Errno]string{
	syscall.ECONNREFUSED:  "ECONNREFUSED",
	syscall.ECONNRESET:    "ECONNRESET",
	syscall.ECONNABORTED:  "ECONNABORTED",
	syscall.ETIMEDOUT:     "ETIMEDOUT",
	syscall.EHOSTUNREACH:  "EHOSTUNREACH",
	syscall.ENETUNREACH:   "ENETUNREACH",
	syscall.EPIPE:         "EPIPE",
	syscall.EADDRNOTAVAIL: "EADDRNOTAVAIL",
}

// systemError turns an error of the HTTP client into a *SystemError when it
// is a network failure, and returns nil otherwise. The Go error is dropped:
// its text names the resolver ("lookup x on 10.0.0.2:53") and local
// addresses.
func systemError(err error) *SystemError {
	var (
		dnsErr   *net.DNSError
		opErr    *net.OpError
		unknown  x509.UnknownAuthorityError
		hostErr  x509.HostnameError
		invalid  x509.CertificateInvalidError
		recErr   tls.RecordHeaderError
		alertErr tls.AlertError
	)
	switch {
	case errors.As(err, &dnsErr):
		if dnsErr.IsTimeout || dnsErr.IsTemporary {
			return &SystemError{Code: "EAI_AGAIN", Syscall: "getaddrinfo", Hostname: dnsErr.Name}
		}
		return &SystemError{Code: "ENOTFOUND", Syscall: "getaddrinfo", Hostname: dnsErr.Name}
	case errors.As(err, &unknown):
		return &SystemError{Code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE", Reason: "unable to verify the first certificate"}
	case errors.As(err, &hostErr):
		return &SystemError{Code: "ERR_TLS_CERT_ALTNAME_INVALID", Reason: "Hostname/IP does not match certificate's altnames"}
	case errors.As(err, &invalid):
		if invalid.Reason == x509.Expired {
			return &SystemError{Code: "CERT_HAS_EXPIRED", Reason: "certificate has expired"}
		}
		return &SystemError{Code: "CERT_UNTRUSTED", Reason: "certificate not trusted"}
	case errors.As(err, &recErr), errors.As(err, &alertErr):
		return &SystemError{Code: "EPROTO", Syscall: "write", Reason: "write EPROTO"}
	case errors.As(err, &opErr):
		code := ""
		var errno syscall.Errno
		var ne net.Error
		switch {
		case errors.As(opErr.Err, &errno):
			code = errnoCodes[errno]
		case errors.As(opErr.Err, &ne) && ne.Timeout():
			code = "ETIMEDOUT"
		}
		if code == "" {
			code = "ECONNRESET"
		}
		se := &SystemError{Code: code, Syscall: opErr.Op}
		if opErr.Op == "dial" {
			se.Syscall = "connect"
			if tcp, ok := opErr.Addr.(*net.TCPAddr); ok {
				se.Address, se.Port = tcp.IP.String(), tcp.Port
			}
		}
		return se
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return &SystemError{Code: "ECONNRESET", Reason: "socket hang up"}
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return &SystemError{Code: "ETIMEDOUT", Syscall: "read"}
	}
	return nil
}
