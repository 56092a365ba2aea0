package main

import (
	"encoding/json"
	"fmt"

	"hoc/l5_engines/fault"
)

// describe turns an operation error into the line the CLI prints: the code,
// the message and the details, as the API would show them.
func describe(err error) error {
	fe, ok := fault.As(err)
	if !ok {
		return err
	}
	if len(fe.Details) == 0 {
		return fmt.Errorf("%s: %s", fe.Code, fe.Message)
	}
	details, _ := json.Marshal(fe.Details)
	return fmt.Errorf("%s: %s %s", fe.Code, fe.Message, details)
}
