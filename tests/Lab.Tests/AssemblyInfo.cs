// The lab drives a Linux Docker Engine, /etc/hosts and POSIX file modes: it runs on Linux only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
