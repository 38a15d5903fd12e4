# install.ps1 as a Windows user runs it, on GitHub's runners (Wine's
# PowerShell is a stub): from a folder laid out as the release .zip is,
# install with -AddToPath, run the helper from a new shell that reads PATH
# from the registry, check that an unexpanded %VAR% entry and the value's
# REG_EXPAND_SZ kind survived, then -Uninstall and check it is all gone.
$ErrorActionPreference = 'Stop'
$root = Split-Path -Parent $PSScriptRoot
$stage = Join-Path $env:RUNNER_TEMP 'ghoauth-zip'
New-Item -ItemType Directory -Force -Path $stage | Out-Null
foreach ($file in @('target\release\git-credential-ghoauth.exe', 'install.ps1', 'README.md', 'LICENSE-MIT', 'LICENSE-APACHE')) {
    Copy-Item -Force (Join-Path $root $file) $stage
}

$environment = [Microsoft.Win32.Registry]::CurrentUser.CreateSubKey('Environment')
$raw = { $environment.GetValue('Path', '', [Microsoft.Win32.RegistryValueOptions]::DoNotExpandEnvironmentNames) }
$before = & $raw
$unexpanded = '%USERPROFILE%\ghoauth-ci-unexpanded'
$environment.SetValue('Path', (@($before, $unexpanded) -join ';').Trim(';'), [Microsoft.Win32.RegistryValueKind]::ExpandString)

powershell -NoProfile -ExecutionPolicy Bypass -File (Join-Path $stage 'install.ps1') -AddToPath
if ($LASTEXITCODE -ne 0) { throw "install.ps1 failed ($LASTEXITCODE)" }
if (-not ((& $raw) -split ';' -contains $unexpanded)) { throw "install.ps1 expanded or dropped $unexpanded" }
if ($environment.GetValueKind('Path') -ne [Microsoft.Win32.RegistryValueKind]::ExpandString) { throw 'the user PATH is no longer REG_EXPAND_SZ' }

# A new shell: PATH as Windows builds it for a new process, from the registry.
$fresh = [Environment]::GetEnvironmentVariable('Path', 'Machine') + ';' + [Environment]::GetEnvironmentVariable('Path', 'User')
$version = pwsh -NoProfile -Command "`$env:Path = '$fresh'; git-credential-ghoauth --version"
if ($version -notmatch '^git-credential-ghoauth ') { throw "a new shell did not find the helper: $version" }
Write-Host "A new shell runs: $version"

powershell -NoProfile -ExecutionPolicy Bypass -File (Join-Path $stage 'install.ps1') -Uninstall
if ($LASTEXITCODE -ne 0) { throw "install.ps1 -Uninstall failed ($LASTEXITCODE)" }
$installed = Join-Path $env:LOCALAPPDATA 'Programs\git-credential-ghoauth'
if (Test-Path $installed) { throw "$installed is still there" }
if ((& $raw) -split ';' -contains $installed) { throw 'the PATH entry is still there' }
if (-not ((& $raw) -split ';' -contains $unexpanded)) { throw "-Uninstall expanded or dropped $unexpanded" }
$environment.SetValue('Path', $before, [Microsoft.Win32.RegistryValueKind]::ExpandString)
Write-Host 'install.ps1: install, a new shell, uninstall: ok'
