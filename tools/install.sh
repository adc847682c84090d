#!/bin/sh
# grassroots-tui @VERSION@: install from the wheels beside this script, without network.
#
#   sh install.sh
#
# Makes a fresh Python environment (GRASSROOTS_VENV, by default
# ~/.local/share/grassroots-tui-venv; the store's data folder is not touched), installs the
# program into it from ./wheels with `pip install --no-index` (no index, no pip configuration
# of this machine), and links `grassroots` into GRASSROOTS_BIN (~/.local/bin). Running it again
# replaces the environment: that is how a newer wheelhouse is installed.
# PYTHON chooses the Python (default python3); this folder has wheels for @PYTHONS@.
set -eu

here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
python=${PYTHON:-python3}
venv=${GRASSROOTS_VENV:-${XDG_DATA_HOME:-$HOME/.local/share}/grassroots-tui-venv}
bin=${GRASSROOTS_BIN:-$HOME/.local/bin}
pythons="@PYTHONS@"

fail() {
    echo "安装失败：$1" >&2
    echo "Installation failed: $2" >&2
    exit 1
}

command -v "$python" >/dev/null 2>&1 ||
    fail "找不到 $python。请先安装 Python（$pythons 之一），或用 PYTHON=… 指定。" \
        "$python not found; install Python ($pythons) or set PYTHON=..."
version=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
case " $pythons " in
*" $version "*) ;;
*) fail "$python 是 Python $version，这个安装包只有 $pythons 的文件。" \
    "$python is Python $version; this folder has wheels for $pythons only." ;;
esac
"$python" -c 'import ensurepip, venv' 2>/dev/null ||
    fail "$python 缺少 venv 模块（Debian/Ubuntu：安装 python3-venv）。" \
        "$python has no venv module (Debian/Ubuntu: install python3-venv)."
if [ -e "$venv" ] && [ ! -f "$venv/pyvenv.cfg" ]; then
    fail "$venv 已存在，但不是 Python 环境；不覆盖它。" \
        "$venv exists and is not a Python environment; not replacing it."
fi

echo "grassroots-tui @VERSION@ → $venv"
"$python" -m venv --clear "$venv"
# Only this folder: no index, and no PIP_* setting or pip.conf of this machine.
for name in $(env | sed -n 's/^\(PIP_[A-Za-z0-9_]*\)=.*/\1/p'); do
    unset "$name"
done
PIP_CONFIG_FILE=/dev/null "$venv/bin/python" -m pip install --quiet --no-index \
    --find-links "$here/wheels" --only-binary=:all: --no-cache-dir \
    --disable-pip-version-check grassroots-tui

mkdir -p "$bin"
ln -sf "$venv/bin/grassroots" "$bin/grassroots"
"$bin/grassroots" --version

case ":$PATH:" in
*":$bin:"*)
    echo "完成：输入 grassroots 启动。Done: type grassroots to start."
    ;;
*)
    if [ "$bin" = "$HOME/.local/bin" ]; then
        profile="$HOME/.profile"
        if ! grep -qs '\.local/bin' "$profile"; then
            printf '\n# grassroots-tui\nexport PATH="$HOME/.local/bin:$PATH"\n' >>"$profile"
        fi
        echo "完成：$bin 已写入 $profile；重新登录后输入 grassroots 启动（现在可用 $bin/grassroots）。"
        echo "Done: $bin is added to PATH in $profile; log in again, or run $bin/grassroots now."
    else
        echo "完成：$bin 不在 PATH 中；请用 $bin/grassroots 启动，或把它加入 PATH。"
        echo "Done: $bin is not on PATH; run $bin/grassroots, or add it to PATH."
    fi
    ;;
esac
