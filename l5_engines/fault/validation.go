package fault

import "fmt"

// FieldError is one failing field of a validation error.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Fields collects field errors so that a validator reports every failing
// field at once instead of stopping at the first.
type Fields []FieldError

// Add records that field breaks a rule.
func (f *Fields) Add(field, format string, args ...any) {
	*f = append(*f, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Err returns a VALIDATION_FAILED error listing every field, or nil when no
// field failed.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	return Validation(f...)
}

// Validation returns a VALIDATION_FAILED error with details.fields.
func Validation(fields ...FieldError) *Error {
	list := make([]FieldError, len(fields))
	copy(list, fields)
	return New(KindValidation, CodeValidationFailed, "request validation failed").WithDetail("fields", list)
}
