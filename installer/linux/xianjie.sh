#!/bin/sh
# /usr/bin/xianjie: starts 衔接 from /opt/xianjie (installer/linux/README.md, "Chinese input").
#
# The bundled Qt (PySide6 wheel) has input-context plugins for ibus and compose only: a fcitx
# plugin built for the system Qt cannot load into it. fcitx5 also speaks the IBus protocol
# (its ibus frontend), so a desk that asks Qt for fcitx is pointed at ibus instead, unless a
# fcitx plugin is bundled. XIANJIE_QT_IM_MODULE=NAME sets QT_IM_MODULE to NAME as it is.
# Never sets LD_LIBRARY_PATH: the bundle's own loader finds its libraries.

APP_DIR='@APP_DIR@'
IM_PLUGIN_DIR="$APP_DIR/@IM_PLUGIN_DIR@"

has_im_plugin() {
    # A Qt input-context plugin for $1 (fcitx5-qt names its Qt 6 plugin "fcitx5").
    case "$1" in
        fcitx | fcitx5)
            [ -e "$IM_PLUGIN_DIR/libfcitx5platforminputcontextplugin.so" ] ||
                [ -e "$IM_PLUGIN_DIR/libfcitxplatforminputcontextplugin.so" ]
            ;;
        *) [ -e "$IM_PLUGIN_DIR/lib${1}platforminputcontextplugin.so" ] ;;
    esac
}

usable_im() {
    # The module Qt should load for the requested one: fcitx becomes ibus without a plugin.
    case "$1" in
        fcitx | fcitx5)
            if has_im_plugin "$1"; then echo "$1"; else echo ibus; fi
            ;;
        *) echo "$1" ;;
    esac
}

if [ -n "${XIANJIE_QT_IM_MODULE:-}" ]; then
    QT_IM_MODULE="$XIANJIE_QT_IM_MODULE"
    export QT_IM_MODULE
    unset QT_IM_MODULES
else
    requested="${QT_IM_MODULE:-}"
    if [ -z "$requested" ]; then
        # No Qt setting: follow the X input method or GTK's, as fcitx5/ibus set-ups export them.
        case "${XMODIFIERS:-}" in
            *@im=fcitx*) requested=fcitx ;;
            *@im=ibus*) requested=ibus ;;
        esac
    fi
    if [ -z "$requested" ]; then
        case "${GTK_IM_MODULE:-}" in
            fcitx | fcitx5) requested=fcitx ;;
            ibus) requested=ibus ;;
        esac
    fi
    if [ -n "$requested" ]; then
        QT_IM_MODULE="$(usable_im "$requested")"
        export QT_IM_MODULE
    fi
    # Qt 6.8+ reads QT_IM_MODULES (a ";" list) before QT_IM_MODULE: map its entries the same way.
    if [ -n "${QT_IM_MODULES:-}" ]; then
        mapped=''
        rest="$QT_IM_MODULES;"
        while [ -n "$rest" ]; do
            item="${rest%%;*}"
            rest="${rest#*;}"
            [ -n "$item" ] || continue
            mapped="$mapped${mapped:+;}$(usable_im "$item")"
        done
        QT_IM_MODULES="$mapped"
        export QT_IM_MODULES
    fi
fi

exec "$APP_DIR/xianjie" "$@"
