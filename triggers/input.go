package triggers

// The types below are the request bodies of the extensibility points as Go
// values. Any of them (or any other value that marshals to the same JSON,
// or the JSON text itself) can be passed to the engine as a hook's input.

// CredentialsExchangeInput is the body of a credentials-exchange run.
type CredentialsExchangeInput struct {
	Client   Client         `json:"client"`
	Scope    []string       `json:"scope,omitempty"`
	Audience string         `json:"audience"`
	Context  map[string]any `json:"context,omitempty"`
}

// Client is the application a token is issued to.
type Client struct {
	ID       string            `json:"id"`
	Name     string            `json:"name"`
	Tenant   string            `json:"tenant"`
	Metadata map[string]string `json:"metadata"`
}

// PreUserRegistrationInput is the body of a pre-user-registration run.
type PreUserRegistrationInput struct {
	User    RegistrationUser    `json:"user"`
	Context RegistrationContext `json:"context"`
}

// PostUserRegistrationInput is the body of a post-user-registration run. Its
// user has an ID and no password.
type PostUserRegistrationInput struct {
	User    RegistrationUser    `json:"user"`
	Context RegistrationContext `json:"context"`
}

// RegistrationUser is the user signing up. Auth0 mixes camelCase and
// snake_case here; the JSON names follow it.
type RegistrationUser struct {
	ID                  string         `json:"id,omitempty"`
	Tenant              string         `json:"tenant,omitempty"`
	Username            string         `json:"username,omitempty"`
	Password            string         `json:"password,omitempty"`
	Email               string         `json:"email,omitempty"`
	EmailVerified       bool           `json:"emailVerified"`
	PhoneNumber         string         `json:"phoneNumber,omitempty"`
	PhoneNumberVerified bool           `json:"phoneNumberVerified"`
	UserMetadata        map[string]any `json:"user_metadata,omitempty"`
	AppMetadata         map[string]any `json:"app_metadata,omitempty"`
}

// RegistrationContext is the context of a user-registration run.
type RegistrationContext struct {
	RequestLanguage string       `json:"requestLanguage,omitempty"`
	RenderLanguage  string       `json:"renderLanguage,omitempty"`
	Request         *HTTPRequest `json:"request,omitempty"`
	Connection      Connection   `json:"connection"`
}

// HTTPRequest describes the end user's request.
type HTTPRequest struct {
	IP       string `json:"ip,omitempty"`
	Language string `json:"language,omitempty"`
}

// Connection is the database connection of the user.
type Connection struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Tenant string `json:"tenant"`
}

// PostChangePasswordInput is the body of a post-change-password run.
type PostChangePasswordInput struct {
	User    PasswordChangeUser    `json:"user"`
	Context PasswordChangeContext `json:"context"`
}

// PasswordChangeUser is the user whose password changed.
type PasswordChangeUser struct {
	ID                string `json:"id"`
	Username          string `json:"username,omitempty"`
	Email             string `json:"email,omitempty"`
	LastPasswordReset string `json:"last_password_reset,omitempty"`
}

// PasswordChangeContext is the context of a post-change-password run.
type PasswordChangeContext struct {
	Connection Connection `json:"connection"`
}

// SendPhoneMessageInput is the body of a send-phone-message run.
type SendPhoneMessageInput struct {
	Recipient string              `json:"recipient"`
	Text      string              `json:"text"`
	Context   PhoneMessageContext `json:"context"`
}

// PhoneMessageContext describes why the message is sent.
type PhoneMessageContext struct {
	// MessageType is "sms" or "voice".
	MessageType string `json:"message_type"`
	// Action is "enrollment" or "second-factor-authentication".
	Action    string         `json:"action"`
	Language  string         `json:"language"`
	Code      string         `json:"code"`
	IP        string         `json:"ip"`
	UserAgent string         `json:"user_agent"`
	Client    *PhoneClient   `json:"client,omitempty"`
	User      map[string]any `json:"user"`
}

// PhoneClient is the application the user is signing in to.
type PhoneClient struct {
	ClientID       string         `json:"client_id"`
	Name           string         `json:"name"`
	ClientMetadata map[string]any `json:"client_metadata,omitempty"`
}
