package archtest

import "testing"

// TestJudgeInternal_FollowsTheLayerTable restates the table of ARCHITECTURE.md
// §2 edge by edge, including edges the fixture does not plant.
func TestJudgeInternal_FollowsTheLayerTable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		from, to string // directories relative to the module root
		want     string // rule name, or "" when allowed
	}{
		{"cmd/hocd", "l7_models", ""},
		{"cmd/hocd", "archtest", ""},
		{"archtest", "l2_api", ""},
		{"l2_api", "l2_api/middleware", ""},
		{"l2_api", "l3_adapters/account", ""},
		{"l2_api", "l4_spine", ""},
		{"l2_api", "l5_engines/fault", ""},
		{"l2_api", "l5_engines/account", RuleAPISkipsLayers.Name},
		{"l2_api", "cmd/hocd", RuleImportsTooling.Name},
		{"l3_adapters", "l3_adapters/auth", ""},
		{"l3_adapters/auth", "l4_spine/auth", ""},
		{"l3_adapters/auth", "l2_api", RuleUpwardImport.Name},
		{"l3_adapters/auth", "l6_drivers/auth", RuleSkipsLayer.Name},
		{"l3_adapters/auth", "l5_engines/fault", ""},
		{"l3_adapters/auth", "l5_engines/auth", RuleSkipsLayer.Name},
		{"l4_spine/auth", "l5_engines/account", ""},
		{"l4_spine", "l5_engines/fault", ""},
		{"l4_spine", "l3_adapters", RuleUpwardImport.Name},
		{"l4_spine", "l6_drivers/db", RuleSkipsLayer.Name},
		{"l4_spine", "archtest", RuleImportsTooling.Name},
		{"l5_engines/auth", "l5_engines/auth/tokens", ""},
		{"l5_engines/auth/tokens", "l5_engines/auth", ""},
		{"l5_engines/auth", "l5_engines/fault", ""},
		{"l5_engines/auth", "l6_drivers/auth", ""},
		{"l5_engines/auth", "l6_drivers/account", RuleCrossDomain.Name},
		{"l5_engines/auth", "l5_engines/account/sub", RuleCrossDomain.Name},
		{"l5_engines/auth", "l6_drivers/db", RuleEngineImportsPlumbing.Name},
		{"l5_engines/auth", "l7_models", RuleSkipsLayer.Name},
		{"l5_engines/auth", "l4_spine", RuleUpwardImport.Name},
		{"l5_engines/fault", "l5_engines/fault/kinds", ""},
		{"l5_engines/fault", "l5_engines/auth", RuleSharedIsolation.Name},
		{"l5_engines/fault", "l6_drivers/auth", RuleSharedIsolation.Name},
		{"l6_drivers/auth", "l6_drivers/db/dbtest", ""},
		{"l6_drivers/auth", "l7_models", ""},
		{"l6_drivers/auth", "l6_drivers/protection", RuleCrossDomain.Name},
		{"l6_drivers/auth", "l5_engines/auth", RuleUpwardImport.Name},
		{"l6_drivers/db", "l7_models/usage", ""},
		{"l6_drivers/db/dbtest", "l6_drivers/db", ""},
		{"l6_drivers/db", "l6_drivers/auth", RuleSharedIsolation.Name},
		{"l7_models", "l7_models/usage", ""},
		{"l7_models", "l6_drivers/db", RuleUpwardImport.Name},
		{"l7_models", "util", RuleUnclassifiedImport.Name},
		{"l7_models", "l5_engines", RuleUnclassifiedImport.Name},
		{"util", "l7_models", ""}, // judged once, as an unclassified package
		{"testkit", "testkit/sub", ""},
		{"testkit", "l7_models", RuleTestKitImportsProject.Name},
		{"testkit", "l2_api", RuleTestKitImportsProject.Name},
		{"testkit", "cmd/hocd", RuleTestKitImportsProject.Name},
		{"l2_api", "testkit", ""},    // from a test file; judgeTestKitFile judges the file
		{"l7_models", "testkit", ""}, // likewise
		{"l5_engines/auth", "testkit", ""},
	}
	for _, tt := range tests {
		t.Run(tt.from+"->"+tt.to, func(t *testing.T) {
			got := ""
			if v := judgeInternal(Classify(tt.from), Classify(tt.to)); v != nil {
				got = v.rule.Name
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestJudgeExternal_RestrictsFrameworksToTheirLayers covers gorm, Fiber and fx
// in every kind of package, and the module.go file rule.
func TestJudgeExternal_RestrictsFrameworksToTheirLayers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		dir, file, imported string
		want                string
	}{
		{"l6_drivers/db", "open.go", "gorm.io/gorm", ""},
		{"l6_drivers/db", "open.go", "gorm.io/driver/postgres", ""},
		{"l7_models", "usage.go", "gorm.io/gorm", ""},
		{"cmd/hocd", "main.go", "gorm.io/gorm", ""},
		{"l5_engines/auth", "verify.go", "gorm.io/gorm", RuleGormOutsideStorage.Name},
		{"l2_api", "server.go", "gorm.io/gorm", RuleGormOutsideStorage.Name},
		{"l5_engines/auth", "verify.go", "gorm.io.example/other", ""},
		{"l2_api", "server.go", "github.com/gofiber/fiber/v2", ""},
		{"l3_adapters/auth", "auth.go", "github.com/gofiber/fiber/v2/middleware/cors", RuleFiberOutsideAPI.Name},
		{"l6_drivers/auth", "store.go", "github.com/gofiber/fiber/v2", RuleFiberOutsideAPI.Name},
		{"l6_drivers/auth", "module.go", "go.uber.org/fx", ""},
		{"l4_spine", "registry_test.go", "go.uber.org/fx/fxtest", RuleFxOutsideModuleFile.Name},
		{"l4_spine", "module_test.go", "go.uber.org/fx", RuleFxOutsideModuleFile.Name},
		{"util", "module.go", "go.uber.org/fx", ""},
		{"util", "util.go", "go.uber.org/fx", RuleFxOutsideModuleFile.Name},
		{"cmd/hocd", "app.go", "go.uber.org/fx", ""},
		{"archtest", "checker.go", "go.uber.org/fx", ""},
		{"l5_engines/auth", "hash.go", "golang.org/x/crypto/bcrypt", ""},
	}
	for _, tt := range tests {
		t.Run(tt.dir+"/"+tt.file+"->"+tt.imported, func(t *testing.T) {
			got := ""
			if v := judgeExternal(Classify(tt.dir), tt.dir+"/"+tt.file, tt.imported); v != nil {
				got = v.rule.Name
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestJudgeTestKitFile_OnlyTestFilesImportTheKit: testkit is for tests in
// every package, the composition root included, and for nothing else.
func TestJudgeTestKitFile_OnlyTestFilesImportTheKit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		dir, file, imported string
		want                string
	}{
		{"l2_api", "server_test.go", "testkit", ""},
		{"l6_drivers/db/dbtest", "dbtest_test.go", "testkit", ""},
		{"cmd/hocd", "harness_test.go", "testkit", ""},
		{"testkit", "wait.go", "testkit/sub", ""},
		{"l2_api", "server.go", "testkit", RuleTestKitOutsideTests.Name},
		{"l6_drivers/db/dbtest", "dbtest.go", "testkit", RuleTestKitOutsideTests.Name},
		{"cmd/hocd", "main.go", "testkit", RuleTestKitOutsideTests.Name},
		{"archtest", "checker.go", "testkit", RuleTestKitOutsideTests.Name},
		{"l2_api", "server.go", "l4_spine", ""},
	}
	for _, tt := range tests {
		t.Run(tt.dir+"/"+tt.file+"->"+tt.imported, func(t *testing.T) {
			got := ""
			if v := judgeTestKitFile(Classify(tt.dir), Classify(tt.imported), tt.dir+"/"+tt.file); v != nil {
				got = v.rule.Name
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
