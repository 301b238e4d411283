"""Projects (技术成果/项目): the listings of the library."""
