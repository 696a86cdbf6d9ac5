package app

// Version is set at build time with -ldflags "-X github.com/yiwang-gov/yiwang/internal/app.Version=…".
var Version = "dev"
