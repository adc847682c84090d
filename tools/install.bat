@echo off
rem grassroots-tui @VERSION@: install from the wheels beside this file, without network.
rem
rem   install.bat          (double-click, or run it in cmd.exe)
rem
rem Makes a fresh Python environment (GRASSROOTS_VENV, by default
rem %LOCALAPPDATA%\grassroots-tui-venv; the store's data folder is not touched), installs the
rem program into it from .\wheels with "pip install --no-index" (no index, no pip
rem configuration of this machine), copies grassroots.exe into GRASSROOTS_BIN
rem (%USERPROFILE%\.local\bin) and adds that folder to the user's PATH. Running it again
rem replaces the environment. PYTHON chooses the Python (a 64-bit @PYTHONS@); by default the
rem newest of those the py launcher knows, else python on PATH.
rem This file is ASCII only: cmd.exe reads batch files in the console's code page.
setlocal EnableExtensions
set "HERE=%~dp0"
set "PYTHONS=@PYTHONS@"
if not defined GRASSROOTS_VENV set "GRASSROOTS_VENV=%LOCALAPPDATA%\grassroots-tui-venv"
if not defined GRASSROOTS_BIN set "GRASSROOTS_BIN=%USERPROFILE%\.local\bin"

if defined PYTHON (
    set "PY=%PYTHON%"
    goto have_python
)
for %%v in (@PYTHONS_NEWEST_FIRST@) do (
    py -%%v -c "pass" >nul 2>nul && (
        set "PY=py -%%v"
        goto have_python
    )
)
set "PY=python"
:have_python
%PY% -c "import sys, struct; v = '%%d.%%d' %% sys.version_info[:2]; sys.exit(0 if v in '%PYTHONS%'.split() and struct.calcsize('P') == 8 else 1)" >nul 2>nul
if errorlevel 1 (
    echo Installation failed: no 64-bit Python %PYTHONS% found ^(tried %PY%^). 1>&2
    echo Install one from python.org, or set PYTHON to its python.exe. 1>&2
    exit /b 1
)
if exist "%GRASSROOTS_VENV%\" if not exist "%GRASSROOTS_VENV%\pyvenv.cfg" (
    echo Installation failed: %GRASSROOTS_VENV% exists and is not a Python environment. 1>&2
    exit /b 1
)

echo grassroots-tui @VERSION@ to %GRASSROOTS_VENV%
%PY% -m venv --clear "%GRASSROOTS_VENV%" || goto failed
rem Only this folder: no index, and no PIP_* setting or pip.ini of this machine.
for /f "delims==" %%e in ('set PIP_ 2^>nul') do set "%%e="
set "PIP_CONFIG_FILE=nul"
"%GRASSROOTS_VENV%\Scripts\python.exe" -m pip install --quiet --no-index --find-links "%HERE%wheels" --only-binary=:all: --no-cache-dir --disable-pip-version-check grassroots-tui || goto failed

if not exist "%GRASSROOTS_BIN%\" mkdir "%GRASSROOTS_BIN%" || goto failed
copy /y "%GRASSROOTS_VENV%\Scripts\grassroots.exe" "%GRASSROOTS_BIN%\grassroots.exe" >nul || goto failed
powershell -NoProfile -ExecutionPolicy Bypass -Command "$b = $env:GRASSROOTS_BIN; $p = [Environment]::GetEnvironmentVariable('Path', 'User'); if (-not $p) { $p = '' }; if (($p -split ';') -notcontains $b) { [Environment]::SetEnvironmentVariable('Path', ($p.TrimEnd(';') + ';' + $b).TrimStart(';'), 'User'); Write-Output ('Added ' + $b + ' to your PATH: open a new window to use it.') }" || goto failed
"%GRASSROOTS_BIN%\grassroots.exe" --version || goto failed
echo Done: type grassroots in a new window to start.
exit /b 0

:failed
echo Installation failed; see the messages above. 1>&2
exit /b 1
