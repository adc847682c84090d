from grassroots_tui.services.text import split_list


def test_split_list_accepts_every_separator_and_drops_repeats():
    assert split_list("低保、残疾,独居老人，低保;拆迁户； 优抚对象") == [
        "低保",
        "残疾",
        "独居老人",
        "拆迁户",
        "优抚对象",
    ]
    assert split_list("  ") == []
