package policy

import (
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

var optionsUpsert = options.Replace().SetUpsert(true)

func isDuplicate(err error) bool { return mongo.IsDuplicateKeyError(err) }
