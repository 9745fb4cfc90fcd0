#pragma once
#include <zinnia.h>
