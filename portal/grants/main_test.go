package grants_test

import (
	"testing"

	"onestop/portal/portaltest"
)

func TestMain(m *testing.M) { portaltest.Main(m) }
