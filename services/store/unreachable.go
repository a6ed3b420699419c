package store

import (
	"errors"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/topology"
)

// Unreachable reports a database that did not answer — no server to select,
// a broken connection, no answer in time — as opposed to one that answered
// with an error: the same request may well succeed when retried.
func Unreachable(err error) bool {
	return err != nil && (mongo.IsNetworkError(err) || mongo.IsTimeout(err) ||
		errors.As(err, &topology.ServerSelectionError{}) || errors.Is(err, mongo.ErrClientDisconnected))
}
