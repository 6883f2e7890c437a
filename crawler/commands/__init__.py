"""yingji's versions of Scrapy's commands (``COMMANDS_MODULE``): ``scrapy crawl`` whose exit
code also says when reports were not stored or a feed failed."""
